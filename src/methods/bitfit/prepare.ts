// BitFit on a loaded model: biases the base already has (qwen2 q/k/v) train in place, in the model's own tensors
// (their values are restored on dispose); biases it lacks are added as zero F32 vectors through the linear hook, so
// a fresh adapter changes nothing.
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import type { TrainableTensor } from "../../engine/trainer.js";
import { UnsupportedTensorTypeError } from "../../errors.js";
import { GgmlType, ggmlTypeName } from "../../formats/gguf/index.js";
import { tensorShape, type GgmlTensor } from "../../native/ggml-bindings.js";
import type { PreparedMethod } from "../types.js";
import type { BitfitOptions } from "./options.js";
import { bitfitTargets } from "./targets.js";

export function prepareBitfit(model: EngineModel, options: BitfitOptions): PreparedMethod {
  const { api } = model;
  const targets = bitfitTargets(model.hparams, options.targets);
  const existing = new Map<string, { tensor: GgmlTensor; original: Float32Array }>();
  for (const t of targets) {
    const tensor = model.weights.get(t.bias);
    if (tensor === undefined) continue;
    const { type } = tensorShape(tensor);
    if (type !== GgmlType.F32) {
      throw new UnsupportedTensorTypeError({
        en: `BitFit trains the model's own bias ${t.bias}, which is stored as ${ggmlTypeName(type)}; it must be F32 (llama.cpp's converters write biases as F32). Re-convert the model.`,
        ko: `BitFit은 모델의 바이어스 ${t.bias}를 직접 학습하는데 ${ggmlTypeName(type)}로 저장되어 있습니다. F32여야 합니다 (llama.cpp 변환기는 바이어스를 F32로 씁니다). 모델을 다시 변환하세요.`,
      });
    }
    const original = new Float32Array(t.length);
    api.ggml_backend_tensor_get(tensor, original, 0, original.byteLength); // a copy, to restore the base on dispose
    existing.set(t.bias, { tensor, original });
  }
  const added = targets.filter((t) => !existing.has(t.bias));
  // ggml cannot allocate a buffer for an empty context: no store when every bias already exists.
  const store = added.length > 0 ? new ParamStore(model, added.map((t) => ({ name: t.bias, ne: [t.length], init: new Float32Array(t.length) }))) : undefined;
  const addedBias = new Map(added.map((t) => [t.projection, t.bias]));
  const trainable: TrainableTensor[] = targets.map((t) => ({ name: t.bias, tensor: existing.get(t.bias)?.tensor ?? store!.get(t.bias) }));
  return {
    trainable,
    hooks: {
      linear(g, name, weight, x) {
        const bias = addedBias.get(name);
        if (bias === undefined) return undefined;
        return g.api.ggml_add(g.ctx, g.api.ggml_mul_mat(g.ctx, weight, x), store!.get(bias)); // [out, N] + [out]
      },
    },
    dispose() {
      for (const { tensor, original } of existing.values()) api.ggml_backend_tensor_set(tensor, original, 0, original.byteLength);
      store?.dispose();
    },
  };
}
