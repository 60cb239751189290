// BitFit: only bias terms train. The run's adapter/ folder gets bitfit.gguf (the trained bias vectors, reloadable
// with loadBitfitAdapter) and merged.gguf (the base with those biases written in: a whole model llama.cpp loads).
import fs from "node:fs";
import path from "node:path";
import { writeMergedModel } from "../merged-model.js";
import type { MethodDefinition, PreparedMethod } from "../types.js";
import { readVectorAdapterOptions, readVectorAdapterValues, writeVectorAdapter } from "../vector-adapter.js";
import type { EngineModel } from "../../engine/model.js";
import { AdapterFileError } from "../../errors.js";
import { BITFIT_DOCTOR_FORMULAS } from "./doctor.js";
import { BitfitOptionsSchema, type BitfitOptions } from "./options.js";
import { prepareBitfit } from "./prepare.js";
import { bitfitProjections, bitfitTargets } from "./targets.js";

export { BitfitOptionsSchema, type BitfitOptions } from "./options.js";
export { llamaCppBiases } from "./targets.js";

export const bitfitMethod: MethodDefinition<BitfitOptions> = {
  name: "bitfit",
  summary: {
    en: "BitFit: train only bias terms (existing ones, plus zero-initialised biases where the architecture has none)",
    ko: "BitFit: 바이어스만 학습 (기존 바이어스와, 없는 곳에는 0으로 시작하는 바이어스를 추가)",
  },
  schema: BitfitOptionsSchema,
  loadOptions: () => ({ f32Weights: false }),
  countTrainable: (_tensors, hp, options) => bitfitTargets(hp, options.targets).reduce((sum, t) => sum + t.length, 0),
  prepare: (model, options) => prepareBitfit(model, options),
  output: "adapter",
  async exportAdapter(options, { model, values, dir, baseModelPath }) {
    fs.mkdirSync(dir, { recursive: true });
    const targets = bitfitTargets(model.hparams, options.targets);
    const resolved = { targets: [...bitfitProjections(model.hparams, options.targets)] };
    const specs = targets.map((t) => ({ name: t.bias, length: t.length }));
    await writeVectorAdapter(path.join(dir, "bitfit.gguf"), "bitfit", model.hparams, resolved, specs, values);
    const merged = path.join(dir, "merged.gguf");
    const changed = new Map(targets.map((t) => [t.bias, { ne: [t.length], values: () => values.get(t.bias)! }]));
    await writeMergedModel(model.file, changed, merged, `BitFit fine-tune of ${path.basename(baseModelPath)} by localtune`);
    return merged;
  },
  adapter: { type: "bitfit", label: { en: "BitFit", ko: "BitFit" }, llamaCppLoads: false, load: (model, file) => loadBitfitAdapter(model, file) },
  exportFormats: [
    { format: "gguf-model", path: "adapter/merged.gguf" },
    { format: "engine-gguf", path: "adapter/bitfit.gguf" },
  ],
  ladderPosition: 30,
  ladderVariants: [{ id: "bitfit", label: "BitFit", options: {} }],
  defaultLr: 3e-2,
  doctorFormulas: BITFIT_DOCTOR_FORMULAS,
};

/** Applies a saved bitfit.gguf to a loaded base: BitFit prepared with the file's options and its trained biases. */
export function loadBitfitAdapter(model: EngineModel, file: string): PreparedMethod {
  const { gguf, options } = readVectorAdapterOptions(file, "bitfit", model.hparams);
  const result = BitfitOptionsSchema.safeParse(options);
  if (!result.success) throw new AdapterFileError(file, { en: `its BitFit options are invalid (${result.error.message})`, ko: `BitFit 옵션이 올바르지 않습니다 (${result.error.message})` });
  const parsed = result.data;
  const values = readVectorAdapterValues(gguf, bitfitTargets(model.hparams, parsed.targets).map((t) => ({ name: t.bias, length: t.length })));
  const prepared = prepareBitfit(model, parsed);
  for (const t of prepared.trainable) {
    const v = values.get(t.name)!;
    model.api.ggml_backend_tensor_set(t.tensor, v, 0, v.byteLength);
  }
  return prepared;
}
