// Prefix tuning options (Li & Liang 2021, "Prefix-Tuning: Optimizing Continuous Prompts for Generation").
import { z } from "zod";

export const PrefixTuningOptionsSchema = z.object({
  prefixTokens: z.number().int().min(1).max(4096).default(10).describe("prefix length P: key/value pairs added in front of every layer's attention"),
  initText: z
    .string()
    .min(1)
    .optional()
    .describe("initialise the prefixes from the keys and values the model computes for this text (repeated or cut to P tokens); default: random vocabulary tokens"),
  initTokens: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe("token ids of initText, filled in by the method from the model's tokenizer before training (or given directly)"),
  reparam: z.boolean().default(false).describe("train the prefixes through an MLP (embedding [E', P] -> Linear -> tanh -> Linear to every layer's keys and values), as in the paper, initialised at random (PyTorch defaults); only the MLP's output is saved"),
  reparamHidden: z.number().int().min(1).max(65536).default(512).describe("hidden width of the reparameterisation MLP (the paper uses 512 to 800)"),
  reparamEmbd: z.number().int().min(1).max(65536).optional().describe("width E' of the small prefix embedding fed to the MLP; default the model's embedding width"),
});
export type PrefixTuningOptions = z.infer<typeof PrefixTuningOptionsSchema>;
