// LoRA options (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"; rsLoRA: Kalajdzievski 2023).
import { z } from "zod";

export const LoraOptionsSchema = z.object({
  rank: z.number().int().min(1).max(4096).optional().describe("rank r of the update B A (1-4 is the low-rank rung, 8-64 the usual range); default 8, or 2 with the low-rank preset")
    .meta({ ko: "갱신 B A의 랭크 r (1-4는 저랭크 단계, 보통 8-64); 기본 8, 저랭크 프리셋이면 2" }),
  lowRank: z.boolean().default(false).describe("preset for the low-rank rung of the ladder: rank 2 unless the rank is given")
    .meta({ ko: "사다리의 저랭크 단계 프리셋: 랭크를 주지 않으면 랭크 2" }),
  alpha: z.number().positive().optional().describe("scaling numerator: the update is multiplied by alpha / r (alpha / sqrt(r) with rslora); default 2 r")
    .meta({ ko: "배율의 분자: 갱신에 alpha / r을 곱함 (rslora면 alpha / sqrt(r)); 기본 2 r" }),
  targets: z.array(z.string()).optional().describe("projections to adapt, comma-separated GGUF names without the layer prefix (attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down); default the architecture's")
    .meta({ ko: "적응할 투영, 층 접두어 없는 GGUF 이름을 쉼표로 구분 (attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down); 기본은 아키텍처의 목록" }),
  rslora: z.boolean().default(false).describe("rank-stabilised scaling alpha / sqrt(r), better for large ranks").meta({ ko: "랭크 안정화 배율 alpha / sqrt(r), 큰 랭크에 유리" }),
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
