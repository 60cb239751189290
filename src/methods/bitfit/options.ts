// BitFit options (Ben Zaken, Ravfogel and Goldberg 2021, "BitFit: Simple Parameter-efficient Fine-tuning for
// Transformer-based Masked Language-models").
import { z } from "zod";
import { biasesByArchitecture } from "./targets.js";

export const BitfitOptionsSchema = z.object({
  targets: z
    .array(z.string())
    .min(1)
    .optional()
    .describe(
      `projections whose bias trains, comma-separated GGUF names without the layer prefix; default every bias llama.cpp reads for the architecture (${biasesByArchitecture()}). Biases the base has train from their values; missing ones are added at zero`,
    )
    .meta({ ko: `편향을 학습할 투영, 층 접두어 없는 GGUF 이름을 쉼표로 구분; 기본은 llama.cpp가 그 아키텍처에서 읽는 모든 편향 (${biasesByArchitecture()}). 기반 모델에 있는 편향은 그 값에서, 없는 편향은 0에서 시작` }),
});
export type BitfitOptions = z.infer<typeof BitfitOptionsSchema>;
