// Prompt tuning options (Lester et al. 2021, "The Power of Scale for Parameter-Efficient Prompt Tuning").
import { z } from "zod";

export const PromptTuningOptionsSchema = z.object({
  virtualTokens: z.number().int().min(1).max(4096).default(20).describe("number N of trainable virtual-token embeddings placed before every sequence").meta({ ko: "모든 시퀀스 앞에 두는 학습 가능한 가상 토큰 임베딩 수 N" }),
  initText: z
    .string()
    .min(1)
    .optional()
    .describe("initialise the virtual tokens from the embeddings of this text's tokens (repeated or cut to N); default: embeddings of random vocabulary tokens")
    .meta({ ko: "이 텍스트 토큰의 임베딩으로 가상 토큰을 초기화 (N개로 반복하거나 자름); 기본: 무작위 어휘 토큰의 임베딩" }),
  initTokens: z
    .array(z.number().int().min(0))
    .min(1)
    .optional()
    .describe("token ids of initText, filled in by the method from the model's tokenizer before training (or given directly)"),
});
export type PromptTuningOptions = z.infer<typeof PromptTuningOptionsSchema>;
