// Full fine-tuning (DAPT, domain-adaptive continued pretraining): every weight trains, embeddings and output head
// included (with tied embeddings the one shared matrix gets both gradients). Weights are held in F32 while training.
import { z } from "zod";
import { isTrainableTensor } from "../../arch/types.js";
import type { MethodDefinition } from "../types.js";

const FullOptionsSchema = z.object({});

export const fullMethod: MethodDefinition<z.infer<typeof FullOptionsSchema>> = {
  name: "full",
  summary: {
    en: "DAPT: continued pretraining of every weight (most thorough, most memory)",
    ko: "DAPT: 모든 가중치를 이어서 사전학습 (가장 철저하고 메모리를 가장 많이 씀)",
  },
  schema: FullOptionsSchema,
  loadOptions: () => ({ f32Weights: true }),
  countTrainable: (tensors) => tensors.filter((t) => isTrainableTensor(t.name)).reduce((sum, t) => sum + t.elementCount, 0),
  // Every weight but the RoPE factors (Llama 3.1+, Phi-3.5): constants of the rope op, which has no gradient for them.
  prepare: (model) => ({
    trainable: [...model.weights].filter(([name]) => isTrainableTensor(name)).map(([name, tensor]) => ({ name, tensor })),
    hooks: {},
    dispose: () => {},
  }),
  output: "model",
  exportFormats: [{ format: "gguf-model", path: "model/model.gguf" }],
  // Last on the ladder: the most thorough and most expensive rung.
  ladderPosition: 100,
  ladderVariants: [{ id: "dapt", label: "DAPT (full)", options: {} }],
  // Lower than the adapters': every weight moves (the better of two on the demo, see ladder/rungs.ts).
  defaultLr: 2e-3,
  // F32 master weights plus a gradient and two AdamW moments: 16 bytes per parameter.
  doctorFormulas: [{ id: "full-dapt", level: 4, compute: "full", trainableParams: (s) => s.totalParams, flopsPerParam: 0 }],
};
