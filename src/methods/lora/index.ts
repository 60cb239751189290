// LoRA: frozen base weights in their stored type (F32, F16, BF16, Q8_0, Q4_K ...), a trainable low-rank update
// W x + s * B (A x) at each adapted projection (applied at the matmul, like llama.cpp's build_lora_mm). B starts at
// zero, so a fresh adapter changes nothing; A starts uniform in +-1/sqrt(in) (PEFT's Kaiming-uniform bound).
import fs from "node:fs";
import path from "node:path";
import { findArchitecture } from "../../arch/registry.js";
import { exportPeftAdapter } from "./peft-export.js";
import { padWithZeros } from "../../engine/concat.js";
import { ParamStore } from "../../engine/param-store.js";
import { seededRandom } from "../../engine/random.js";
import type { MethodDefinition } from "../types.js";
import { LORA_DOCTOR_FORMULAS } from "./doctor.js";
import { loadEngineLora } from "./engine-lora.js";
import { writeGgufLora } from "./export-gguf.js";
import { LoraOptionsSchema, loraRank, loraScale, type LoraOptions } from "./options.js";
import { loraTargets } from "./targets.js";

export const loraMethod: MethodDefinition<LoraOptions> = {
  name: "lora",
  summary: {
    en: "LoRA: low-rank updates on a frozen (F32, F16 or quantized) base; --low-rank for r = 2",
    ko: "LoRA: 고정된 기반 모델(F32, F16, 양자화)에 저랭크 갱신을 학습; --low-rank는 r = 2",
  },
  schema: LoraOptionsSchema,
  loadOptions: () => ({ f32Weights: false }),
  countTrainable: (tensors, hp, options) => {
    const arch = findArchitecture(hp.arch);
    return loraTargets(arch, hp, options).reduce((sum, t) => sum + loraRank(options) * (t.nIn + t.nOut), 0);
  },
  prepare(model, options, seed) {
    const random = seededRandom(seed);
    const rank = loraRank(options);
    const targets = loraTargets(model.arch, model.hparams, options);
    const specs = targets.flatMap((t) => {
      const bound = 1 / Math.sqrt(t.nIn);
      return [
        { name: `${t.name}.weight.lora_a`, ne: [t.nIn, rank], init: Float32Array.from({ length: t.nIn * rank }, () => (2 * random() - 1) * bound) },
        { name: `${t.name}.weight.lora_b`, ne: [rank, t.nOut], init: new Float32Array(rank * t.nOut) },
      ];
    });
    const store = new ParamStore(model, specs);
    const adapted = new Set(targets.map((t) => t.name));
    const scale = loraScale(options);
    const paddedRank = Math.ceil(rank / 16) * 16;
    return {
      trainable: store.trainable(),
      hooks: {
        linear(g, name, weight, x) {
          if (!adapted.has(name)) return undefined;
          const { api, ctx } = g;
          // ggml's tiled F32 matmul needs the contracted length to be a multiple of 16 (else it falls back to one short
          // dot product per output element): the rank is padded with zeros that get zero gradients and so stay zero.
          const a = padWithZeros(g, store.get(`${name}.weight.lora_a`), 1, paddedRank); // [in, R]
          const b = padWithZeros(g, store.get(`${name}.weight.lora_b`), 0, paddedRank); // [R, out]
          // The scale goes on the rank-R product, not on the [out, N] one: one pass over R x N values, not out x N.
          const ax = api.ggml_scale(ctx, api.ggml_mul_mat(ctx, a, x), scale); // [R, N]
          return api.ggml_add(ctx, api.ggml_mul_mat(ctx, weight, x), api.ggml_mul_mat(ctx, b, ax)); // [out, N]
        },
      },
      dispose: () => store.dispose(),
    };
  },
  output: "adapter",
  async exportAdapter(options, { model, values, dir, baseModelPath }) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "adapter.gguf");
    await writeGgufLora(file, model.file, loraTargets(model.arch, model.hparams, options), values, options);
    // A Hugging Face PEFT copy beside it (adapter/peft/): a few reads and writes of the adapter's own size.
    await exportPeftAdapter({ adapter: file, model: baseModelPath, out: path.join(dir, "peft"), rslora: options.rslora });
    return file;
  },
  // llama.cpp runs GGUF LoRA itself (generate, chat, serve); the engine loads it for scoring (ladder --add-rung).
  adapter: { type: "lora", label: { en: "LoRA", ko: "LoRA" }, llamaCppLoads: true, load: (model, file) => loadEngineLora(model, [{ path: file }], model.file.file) },
  exportFormats: [
    { format: "gguf-lora", path: "adapter/adapter.gguf" },
    { format: "peft", path: "adapter/peft" },
  ],
  ladderPosition: 50,
  // r=2 is the low-rank rung, r=16 the usual one: 0.01 beat 0.005 at r=2, 0.005 beat 0.01 at r=16 (ladder/rungs.ts).
  ladderVariants: [
    { id: "lora-r2", label: "LoRA r=2", options: { lowRank: true }, lr: 1e-2 },
    { id: "lora-r16", label: "LoRA r=16", options: { rank: 16 }, lr: 5e-3 },
  ],
  defaultLr: 5e-3,
  doctorFormulas: LORA_DOCTOR_FORMULAS,
};
