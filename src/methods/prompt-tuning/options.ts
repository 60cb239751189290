// Prompt tuning options (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning").
import { z } from "zod";

export const PromptTuningOptionsSchema = z.object({
  virtualTokens: z.number().int().min(1).max(4096).default(20).describe("number N of trainable virtual-token embeddings placed before every sequence"),
  initText: z
    .string()
    .min(1)
    .optional()
    .describe("initialise the virtual tokens from the embeddings of this text's tokens (repeated or cut to N); default: embeddings of random vocabulary tokens"),
  initTokens: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe("token ids of initText, filled in by the method from the model's tokenizer before training (or given directly)"),
});
export type PromptTuningOptions = z.infer<typeof PromptTuningOptionsSchema>;
