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
      `projections whose bias trains, by GGUF name without the layer prefix; default every bias llama.cpp reads for the architecture (${biasesByArchitecture()}). Biases the base has train from their values; missing ones are added at zero`,
    ),
});
export type BitfitOptions = z.infer<typeof BitfitOptionsSchema>;
