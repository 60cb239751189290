// IA3 options (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than In-Context
// Learning"): learned vectors that rescale keys (l_k), values (l_v) and the feed-forward activation (l_ff).
import { z } from "zod";

export const IA3_SITES = ["k", "v", "ff"] as const;
export type Ia3Site = (typeof IA3_SITES)[number];

export const Ia3OptionsSchema = z.object({
  sites: z
    .array(z.enum(IA3_SITES))
    .min(1)
    .default([...IA3_SITES])
    .describe("where scaling vectors go, per layer, comma-separated: k (keys, D*K values), v (values, D*K), ff (the feed-forward activation before ffn_down, F); all three as in the paper")
    .meta({ ko: "층마다 배율 벡터를 둘 곳, 쉼표로 구분: k (키, D*K개), v (값, D*K개), ff (ffn_down 앞 피드포워드 활성, F개); 논문처럼 셋 모두" }),
});
export type Ia3Options = z.infer<typeof Ia3OptionsSchema>;
