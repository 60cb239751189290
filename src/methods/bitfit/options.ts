// BitFit options (Ben Zaken, Ravfogel and Goldberg 2021, "BitFit: Simple Parameter-efficient Fine-tuning for
// Transformer-based Masked Language-models").
import { z } from "zod";

export const BitfitOptionsSchema = z.object({
  targets: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      "projections whose bias trains, by GGUF name without the layer prefix; default every bias llama.cpp reads for the architecture (llama: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down; qwen2, qwen3: attn_q, attn_k, attn_v). Biases the base has train from their values; missing ones are added at zero",
    ),
});
export type BitfitOptions = z.infer<typeof BitfitOptionsSchema>;
