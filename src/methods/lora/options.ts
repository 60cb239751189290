// LoRA options (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"; rsLoRA: Kalajdzievski 2023).
import { z } from "zod";

export const LoraOptionsSchema = z.object({
  rank: z.number().int().min(1).max(4096).optional().describe("rank r of the update B A (1-4 is the low-rank rung, 8-64 the usual range); default 8, or 2 with lowRank"),
  lowRank: z.boolean().default(false).describe("preset for the low-rank rung of the ladder: rank 2 unless rank is given"),
  alpha: z.number().positive().optional().describe("scaling numerator: the update is multiplied by alpha / r (alpha / sqrt(r) with rslora); default 2 r"),
  targets: z.array(z.string()).optional().describe("projections to adapt, by GGUF name without the layer prefix (attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down); default the architecture's"),
  rslora: z.boolean().default(false).describe("rank-stabilised scaling alpha / sqrt(r), better for large ranks"),
});
export type LoraOptions = z.infer<typeof LoraOptionsSchema>;

/** The rank in effect: given, else 2 for the low-rank preset, else 8. */
export function loraRank(options: LoraOptions): number {
  return options.rank ?? (options.lowRank ? 2 : 8);
}

/** alpha in effect: given, else 2 x rank. */
export function loraAlpha(options: LoraOptions): number {
  return options.alpha ?? 2 * loraRank(options);
}

/** The factor applied to B A x. */
export function loraScale(options: LoraOptions): number {
  const rank = loraRank(options);
  return options.rslora ? loraAlpha(options) / Math.sqrt(rank) : loraAlpha(options) / rank;
}
