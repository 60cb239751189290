// IA3: per-layer vectors, initialised to ones, rescale keys, values and the feed-forward activation through the
// decoder's activation hook (ggml_mul broadcasts [D*K] over [D*K, N]). The run's adapter/ folder gets ia3.gguf (the
// raw vectors, reloadable with loadIa3Adapter) and merged.gguf (the scalings folded into the base: a whole model).
import fs from "node:fs";
import path from "node:path";
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import { AdapterFileError } from "../../errors.js";
import { writeMergedModel } from "../merged-model.js";
import type { MethodDefinition, PreparedMethod } from "../types.js";
import { readVectorAdapterOptions, readVectorAdapterValues, writeVectorAdapter } from "../vector-adapter.js";
import { IA3_DOCTOR_FORMULAS } from "./doctor.js";
import { ia3MergedTensors } from "./merge.js";
import { Ia3OptionsSchema, type Ia3Options, type Ia3Site } from "./options.js";
import { ia3VectorName, ia3Vectors } from "./vectors.js";

export { Ia3OptionsSchema, type Ia3Options } from "./options.js";

const SITE_OF_HOOK: Record<"attn_k" | "attn_v" | "ffn_act", Ia3Site> = { attn_k: "k", attn_v: "v", ffn_act: "ff" };

function prepareIa3(model: EngineModel, options: Ia3Options): PreparedMethod {
  const vectors = ia3Vectors(model.hparams, options);
  const store = new ParamStore(model, vectors.map((v) => ({ name: v.name, ne: [v.length], init: new Float32Array(v.length).fill(1) })));
  const sites = new Set(options.sites);
  return {
    trainable: store.trainable(),
    hooks: {
      activation(g, hookSite, layer, x) {
        const site = SITE_OF_HOOK[hookSite];
        if (!sites.has(site)) return undefined;
        return g.api.ggml_mul(g.ctx, x, store.get(ia3VectorName(layer, site))); // [D*K or F, N] * [D*K or F]
      },
    },
    dispose: () => store.dispose(),
  };
}

export const ia3Method: MethodDefinition<Ia3Options> = {
  name: "ia3",
  summary: {
    en: "IA3: learned vectors (initialised to 1) rescale keys, values and the feed-forward activation; merges exactly into the base",
    ko: "IA3: 키, 값, 피드포워드 활성을 학습된 벡터(1로 시작)로 크기 조정; 기본 모델에 정확히 병합 가능",
  },
  schema: Ia3OptionsSchema,
  loadOptions: () => ({ f32Weights: false }),
  countTrainable: (_tensors, hp, options) => ia3Vectors(hp, options).reduce((sum, v) => sum + v.length, 0),
  prepare: (model, options) => prepareIa3(model, options),
  output: "adapter",
  async exportAdapter(options, { model, values, dir, baseModelPath }) {
    fs.mkdirSync(dir, { recursive: true });
    const vectors = ia3Vectors(model.hparams, options);
    await writeVectorAdapter(path.join(dir, "ia3.gguf"), "ia3", model.hparams, { sites: options.sites }, vectors, values);
    const merged = path.join(dir, "merged.gguf");
    await writeMergedModel(model.file, ia3MergedTensors(model.file, vectors, values), merged, `IA3 fine-tune of ${path.basename(baseModelPath)} by localtune (merged)`);
    return merged;
  },
  adapter: { type: "ia3", label: { en: "IA3", ko: "IA3" }, llamaCppLoads: false, load: (model, file) => loadIa3Adapter(model, file) },
  exportFormats: [
    { format: "gguf-model", path: "adapter/merged.gguf" },
    { format: "engine-gguf", path: "adapter/ia3.gguf" },
  ],
  ladderPosition: 40,
  ladderVariants: [{ id: "ia3", label: "IA3", options: {} }],
  defaultLr: 3e-2,
  doctorFormulas: IA3_DOCTOR_FORMULAS,
};

/** Applies a saved ia3.gguf to a loaded base: IA3 prepared with the file's sites and its trained vectors. */
export function loadIa3Adapter(model: EngineModel, file: string): PreparedMethod {
  const { gguf, options } = readVectorAdapterOptions(file, "ia3", model.hparams);
  const result = Ia3OptionsSchema.safeParse(options);
  if (!result.success) throw new AdapterFileError(file, { en: `its IA3 options are invalid (${result.error.message})`, ko: `IA3 옵션이 올바르지 않습니다 (${result.error.message})` });
  const values = readVectorAdapterValues(gguf, ia3Vectors(model.hparams, result.data));
  const prepared = prepareIa3(model, result.data);
  for (const t of prepared.trainable) {
    const v = values.get(t.name)!;
    model.api.ggml_backend_tensor_set(t.tensor, v, 0, v.byteLength);
  }
  return prepared;
}
