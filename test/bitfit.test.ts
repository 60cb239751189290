// BitFit: trainable counts follow the formula, a fresh adapter changes nothing, bias gradients equal finite
// differences, training lowers the loss on stories260K, and the merged GGUF in llama.cpp gives our engine's logits
// (added biases on llama and qwen3, the model's own q/k/v biases on qwen2).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findArchitecture } from "../src/arch/registry.js";
import { readHparams, type ModelHparams } from "../src/arch/hparams.js";
import { writeTinyModel } from "./helpers/finite-differences.js";
import { forwardLogits } from "../src/engine/forward.js";
import { measurePerplexity } from "../src/engine/measure-perplexity.js";
import { EngineModel } from "../src/engine/model.js";
import { seededRandom } from "../src/engine/random.js";
import { AdapterFileError, InvalidConfigError } from "../src/errors.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { bitfitMethod, BitfitOptionsSchema, loadBitfitAdapter } from "../src/methods/bitfit/index.js";
import { ia3Method } from "../src/methods/ia3/index.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { expectGradientsMatchFiniteDifferences, smallRandomModel, worstGapToLlamaCpp } from "./helpers/method-checks.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bitfit-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
const heldout = path.join(root, "heldout.txt");
fs.writeFileSync(heldout, fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 4_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const defaults = BitfitOptionsSchema.parse({});

function hparamsOf(file: string): ModelHparams {
  const gguf = readGguf(file);
  return readHparams(gguf, gguf.tensors, findArchitecture(gguf.architecture));
}

describe("BitFit", () => {
  it("trainable parameters: one bias per adapted output, as the formula says", async () => {
    // stories260K (llama): E 64, F 172, H 8, K 4, D 8, 5 layers; every projection gets a bias:
    // per layer q 64 + k 32 + v 32 + o 64 + gate 172 + up 172 + down 64 = 600.
    const stories = readGguf(STORIES_260K);
    expect(bitfitMethod.countTrainable(stories.tensors, hparamsOf(STORIES_260K), defaults)).toBe(5 * 600);
    // Qwen2-0.5B's shape: 24 layers, E 896, 14 heads, 2 kv heads, D 64, F 4864; only q/k/v biases: 896 + 128 + 128.
    const qwen05: ModelHparams = { ...hparamsOf(STORIES_260K), arch: "qwen2", nLayer: 24, nEmbd: 896, nFf: 4864, nHead: 14, nHeadKv: 2, headDim: 64 };
    expect(bitfitMethod.countTrainable([], qwen05, defaults)).toBe(24 * 1152);
    // The count from the file equals the tensors prepare() hands to the trainer.
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const prepared = bitfitMethod.prepare(model, defaults, 1);
    expect(prepared.trainable.reduce((s, t) => s + model.api.ggml_nelements(t.tensor), 0)).toBe(5 * 600);
    prepared.dispose();
    model.dispose();
  });

  it("refuses a bias llama.cpp's loader would drop (qwen2 attn_output) with a clear error", async () => {
    const qwen2 = hparamsOf(await smallRandomModel("qwen2", root));
    expect(() => bitfitMethod.countTrainable([], qwen2, BitfitOptionsSchema.parse({ targets: ["attn_q", "attn_output"] }))).toThrow(InvalidConfigError);
    expect(() => bitfitMethod.countTrainable([], qwen2, BitfitOptionsSchema.parse({ targets: ["attn_output"] }))).toThrow(/attn_q, attn_k, attn_v/);
  });

  it("a fresh adapter changes nothing (added zero biases on llama; the model's own biases on qwen2)", async () => {
    for (const file of [STORIES_260K, await smallRandomModel("qwen2", root)]) {
      const model = await EngineModel.load(file, { threads: 1 });
      const tokens = Int32Array.from([1, 403, 407, 261, 378]);
      const base = forwardLogits(model, { tokens, sequences: 1 });
      const prepared = bitfitMethod.prepare(model, defaults, 1);
      expect(forwardLogits(model, { tokens, sequences: 1 }, prepared.hooks)).toEqual(base);
      prepared.dispose();
      model.dispose();
    }
  });

  it("bias gradients equal finite differences (added biases on llama, the model's biases on qwen2)", async () => {
    for (const arch of ["llama", "qwen2"] as const) {
      const file = path.join(root, `grad-${arch}.gguf`);
      await writeTinyModel(file, arch);
      const model = await EngineModel.load(file, { threads: 1 });
      const prepared = bitfitMethod.prepare(model, defaults, 1);
      expect(prepared.trainable.length).toBe(arch === "llama" ? 14 : 6);
      expect(expectGradientsMatchFiniteDifferences(model, prepared.trainable, prepared.hooks)).toBe(prepared.trainable.length * 2);
      prepared.dispose();
      model.dispose();
    }
  });

  it("trains on stories260K; merged.gguf in llama.cpp and bitfit.gguf reloaded give the same logits", async () => {
    const out = path.join(root, "run");
    const { done } = await startTraining({ method: "bitfit", methodOptions: {}, model: STORIES_260K, data: [trainText], out, steps: 8, ctx: 32, batch: 2, lr: 1e-2, threads: 1, evalEvery: 0 });
    const losses = RunFolder.open(out).readMetrics().filter((r) => r.loss !== undefined).map((r) => r.loss!);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    // Held-out perplexity (stories the run never saw) of the merged model is below the base's.
    const before = await measurePerplexity({ model: STORIES_260K, file: heldout, ctx: 64, threads: 1 });
    const after = await measurePerplexity({ model: done.output!, file: heldout, ctx: 64, threads: 1 });
    console.log(`%s held-out perplexity: base ${before.perplexity.toFixed(3)}, merged ${after.perplexity.toFixed(3)}`.replace("%s", "bitfit"));
    expect(after.perplexity).toBeLessThan(before.perplexity);
    expect(done.output).toBe(path.join(out, "adapter", "merged.gguf"));

    const engine = await EngineModel.load(STORIES_260K, { threads: 1 });
    const prepared = loadBitfitAdapter(engine, path.join(out, "adapter", "bitfit.gguf"));
    const trained = readGguf(path.join(out, "adapter", "bitfit.gguf")).readTensorData("blk.2.ffn_up.bias");
    expect(new Float32Array(trained.buffer, trained.byteOffset, 172).some((v) => Math.abs(v) > 1e-4)).toBe(true);
    const tokens = [1, 450, 260, 300, 310, 320, 330, 340];
    const V = engine.hparams.nVocab;
    const ours = forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 }, prepared.hooks);
    expect(ours).not.toEqual(forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 }));
    const gap = await worstGapToLlamaCpp(done.output!, tokens, ours, V);
    console.log(`bitfit stories260K merged vs llama.cpp: max |dlogp| / logit range = ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(1e-4);
    prepared.dispose();
    engine.dispose();
  });

  for (const arch of ["qwen2", "qwen3"] as const) {
    it(`${arch}: trained q/k/v biases (${arch === "qwen2" ? "the model's own" : "added"}) export to a model llama.cpp runs with our logits`, async () => {
      const base = await smallRandomModel(arch, root);
      const engine = await EngineModel.load(base, { threads: 1 });
      const tokens = [1, 450, 260, 3300, 12310, 320];
      const V = engine.hparams.nVocab;
      const baseLogits = forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 });
      const prepared = bitfitMethod.prepare(engine, defaults, 1);
      const random = seededRandom(9);
      const values = new Map<string, Float32Array>();
      for (const t of prepared.trainable) {
        const v = Float32Array.from({ length: engine.api.ggml_nelements(t.tensor) }, () => random() - 0.5);
        engine.api.ggml_backend_tensor_set(t.tensor, v, 0, v.byteLength);
        values.set(t.name, v);
      }
      const merged = await bitfitMethod.exportAdapter!(defaults, { model: engine, values, dir: path.join(root, `export-${arch}`), baseModelPath: base });
      const ours = forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 }, prepared.hooks);
      expect(ours).not.toEqual(baseLogits); // so llama.cpp agreeing with us means it applied the biases
      const gap = await worstGapToLlamaCpp(merged, tokens, ours, V);
      console.log(`bitfit ${arch} merged vs llama.cpp: max |dlogp| / logit range = ${gap.toExponential(2)}`);
      expect(gap).toBeLessThan(1e-4);
      prepared.dispose();
      // dispose puts the model's own biases back: the base logits return.
      expect(forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 })).toEqual(baseLogits);
      engine.dispose();
    });
  }

  it("refuses an adapter of another method, another base shape, or a damaged file", async () => {
    const adapter = path.join(root, "run", "adapter", "bitfit.gguf");
    const qwen2 = await EngineModel.load(await smallRandomModel("qwen2", root), { threads: 1 });
    expect(() => loadBitfitAdapter(qwen2, adapter)).toThrow(/made for a llama model, this base is qwen2/);
    qwen2.dispose();
    const stories = await EngineModel.load(STORIES_260K, { threads: 1 });
    const ia3File = path.join(root, "ia3.gguf");
    await ia3Method.exportAdapter!({ sites: ["k"] }, { model: stories, values: new Map(Array.from({ length: 5 }, (_, i) => [`blk.${i}.ia3_k`, new Float32Array(32).fill(1)])), dir: root, baseModelPath: STORIES_260K });
    expect(() => loadBitfitAdapter(stories, ia3File)).toThrow(/expected a bitfit adapter, found adapter.type "ia3"/);
    const damaged = path.join(root, "damaged.gguf");
    fs.writeFileSync(damaged, fs.readFileSync(adapter).subarray(0, 200));
    expect(() => loadBitfitAdapter(stories, damaged)).toThrow(AdapterFileError);
    stories.dispose();
  });
});
