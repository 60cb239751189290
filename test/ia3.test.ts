// IA3: trainable counts follow the formula, a fresh adapter (all ones) changes nothing, gradients of the scaling
// vectors equal finite differences, training lowers the loss on stories260K, and the merged GGUF (scalings folded
// into attn_k, attn_v and ffn_down, biases included) in llama.cpp gives our engine's logits with the hooks.
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
import { GgmlType, readGguf } from "../src/formats/gguf/index.js";
import { dequantize } from "../src/formats/quant/convert.js";
import { ia3Method, Ia3OptionsSchema, loadIa3Adapter } from "../src/methods/ia3/index.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { expectGradientsMatchFiniteDifferences, smallRandomModel, worstGapToLlamaCpp } from "./helpers/method-checks.js";
import { quantizedStoriesPath, STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ia3-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
const heldout = path.join(root, "heldout.txt");
fs.writeFileSync(heldout, fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 4_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const defaults = Ia3OptionsSchema.parse({});
const TOKENS = [1, 450, 260, 300, 310, 320, 330, 340];

function hparamsOf(file: string): ModelHparams {
  const gguf = readGguf(file);
  return readHparams(gguf, gguf.tensors, findArchitecture(gguf.architecture));
}

/** Sets every IA3 vector to values in [0.5, 1.5) and returns them by name. */
function randomVectors(model: EngineModel, trainable: readonly { name: string; tensor: Parameters<EngineModel["api"]["ggml_nelements"]>[0] }[], seed: number): Map<string, Float32Array> {
  const random = seededRandom(seed);
  const values = new Map<string, Float32Array>();
  for (const t of trainable) {
    const v = Float32Array.from({ length: model.api.ggml_nelements(t.tensor) }, () => 0.5 + random());
    model.api.ggml_backend_tensor_set(t.tensor, v, 0, v.byteLength);
    values.set(t.name, v);
  }
  return values;
}

describe("IA3", () => {
  it("trainable parameters: l_k and l_v of D*K, l_ff of F per layer", async () => {
    // stories260K: D 8, K 4, F 172, 5 layers: 5 * (32 + 32 + 172) = 1180.
    const stories = readGguf(STORIES_260K);
    expect(ia3Method.countTrainable(stories.tensors, hparamsOf(STORIES_260K), defaults)).toBe(1180);
    expect(ia3Method.countTrainable(stories.tensors, hparamsOf(STORIES_260K), Ia3OptionsSchema.parse({ sites: ["ff"] }))).toBe(5 * 172);
    // Qwen2-0.5B's shape: 24 layers, D 64, 2 kv heads, F 4864: 24 * (128 + 128 + 4864) = 122880.
    const qwen05: ModelHparams = { ...hparamsOf(STORIES_260K), arch: "qwen2", nLayer: 24, nEmbd: 896, nFf: 4864, nHead: 14, nHeadKv: 2, headDim: 64 };
    expect(ia3Method.countTrainable([], qwen05, defaults)).toBe(122_880);
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const prepared = ia3Method.prepare(model, defaults, 1);
    expect(prepared.trainable.reduce((s, t) => s + model.api.ggml_nelements(t.tensor), 0)).toBe(1180);
    prepared.dispose();
    model.dispose();
    expect(() => Ia3OptionsSchema.parse({ sites: ["q"] })).toThrow();
  });

  it("a fresh adapter (all ones) changes nothing", async () => {
    for (const file of [STORIES_260K, await smallRandomModel("qwen3", root)]) {
      const model = await EngineModel.load(file, { threads: 1 });
      const tokens = Int32Array.from([1, 403, 407, 261, 378]);
      const base = forwardLogits(model, { tokens, sequences: 1 });
      const prepared = ia3Method.prepare(model, defaults, 1);
      expect(forwardLogits(model, { tokens, sequences: 1 }, prepared.hooks)).toEqual(base);
      prepared.dispose();
      model.dispose();
    }
  });

  it("gradients of l_k, l_v, l_ff equal finite differences (llama; qwen3 with k-norm after the scaling)", async () => {
    for (const arch of ["llama", "qwen3"] as const) {
      const file = path.join(root, `grad-${arch}.gguf`);
      await writeTinyModel(file, arch);
      const model = await EngineModel.load(file, { threads: 1 });
      const prepared = ia3Method.prepare(model, defaults, 1);
      randomVectors(model, prepared.trainable, 4); // away from 1, where every site looks alike
      expect(expectGradientsMatchFiniteDifferences(model, prepared.trainable, prepared.hooks, 3)).toBe(6 * 3);
      prepared.dispose();
      model.dispose();
    }
  });

  it("trains on stories260K; merged.gguf in llama.cpp and ia3.gguf reloaded give the same logits", async () => {
    const out = path.join(root, "run");
    const { done } = await startTraining({ method: "ia3", methodOptions: {}, model: STORIES_260K, data: [trainText], out, steps: 8, ctx: 32, batch: 2, lr: 3e-2, threads: 1, evalEvery: 0 });
    const losses = RunFolder.open(out).readMetrics().filter((r) => r.loss !== undefined).map((r) => r.loss!);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
    // Held-out perplexity (stories the run never saw) of the merged model is below the base's.
    const before = await measurePerplexity({ model: STORIES_260K, file: heldout, ctx: 64, threads: 1 });
    const after = await measurePerplexity({ model: done.output!, file: heldout, ctx: 64, threads: 1 });
    console.log(`%s held-out perplexity: base ${before.perplexity.toFixed(3)}, merged ${after.perplexity.toFixed(3)}`.replace("%s", "ia3"));
    expect(after.perplexity).toBeLessThan(before.perplexity);
    expect(done.output).toBe(path.join(out, "adapter", "merged.gguf"));

    const engine = await EngineModel.load(STORIES_260K, { threads: 1 });
    const prepared = loadIa3Adapter(engine, path.join(out, "adapter", "ia3.gguf"));
    const V = engine.hparams.nVocab;
    const ours = forwardLogits(engine, { tokens: Int32Array.from(TOKENS), sequences: 1 }, prepared.hooks);
    expect(ours).not.toEqual(forwardLogits(engine, { tokens: Int32Array.from(TOKENS), sequences: 1 }));
    const gap = await worstGapToLlamaCpp(done.output!, TOKENS, ours, V);
    console.log(`ia3 stories260K merged vs llama.cpp: max |dlogp| / logit range = ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(1e-4);
    prepared.dispose();
    engine.dispose();
  });

  for (const arch of ["qwen2", "qwen3"] as const) {
    it(`${arch}: ${arch === "qwen2" ? "k and v biases scale with their rows" : "k scaled before the k-norm"}; llama.cpp runs the merged model with our logits`, async () => {
      const base = await smallRandomModel(arch, root);
      const engine = await EngineModel.load(base, { threads: 1 });
      const prepared = ia3Method.prepare(engine, defaults, 1);
      const values = randomVectors(engine, prepared.trainable, 9);
      const dir = path.join(root, `export-${arch}`);
      const merged = await ia3Method.exportAdapter!(defaults, { model: engine, values, dir, baseModelPath: base });
      const ours = forwardLogits(engine, { tokens: Int32Array.from(TOKENS), sequences: 1 }, prepared.hooks);
      const gap = await worstGapToLlamaCpp(merged, TOKENS, ours, engine.hparams.nVocab);
      console.log(`ia3 ${arch} merged vs llama.cpp: max |dlogp| / logit range = ${gap.toExponential(2)}`);
      expect(gap).toBeLessThan(1e-4);
      // The raw vectors reload to the same graph.
      prepared.dispose();
      const reloaded = loadIa3Adapter(engine, path.join(dir, "ia3.gguf"));
      expect(forwardLogits(engine, { tokens: Int32Array.from(TOKENS), sequences: 1 }, reloaded.hooks)).toEqual(ours);
      reloaded.dispose();
      engine.dispose();
    });
  }

  it("a Q8_0 base: changed tensors are dequantized, scaled and written as F32; the others keep their bytes", async () => {
    const base = await quantizedStoriesPath(GgmlType.Q8_0);
    const engine = await EngineModel.load(base, { threads: 1 });
    const prepared = ia3Method.prepare(engine, defaults, 1);
    const values = randomVectors(engine, prepared.trainable, 5);
    const mergedPath = await ia3Method.exportAdapter!(defaults, { model: engine, values, dir: path.join(root, "export-q8"), baseModelPath: base });
    const source = readGguf(base);
    const merged = readGguf(mergedPath);
    const down = merged.tensor("blk.1.ffn_down.weight"); // [F 172, E 64]: rows of F 172 are not Q8_0 blocks, so F32 in the base too
    const k = merged.tensor("blk.3.attn_k.weight"); // [E 64, D*K 32]: Q8_0 in the base
    expect(source.tensor("blk.3.attn_k.weight").type).toBe(GgmlType.Q8_0);
    expect([k.type, down.type]).toEqual([GgmlType.F32, GgmlType.F32]);
    const kBase = dequantize(GgmlType.Q8_0, source.readTensorData("blk.3.attn_k.weight"), 64 * 32);
    const kMerged = new Float32Array(merged.readTensorData(k).buffer.slice(0));
    const lk = values.get("blk.3.ia3_k")!;
    for (const i of [0, 63, 64, 1000, 2047]) expect(kMerged[i]).toBe(Math.fround(kBase[i]! * lk[Math.floor(i / 64)]!));
    const downBase = dequantize(source.tensor("blk.1.ffn_down.weight").type, source.readTensorData("blk.1.ffn_down.weight"), 172 * 64);
    const downMerged = new Float32Array(merged.readTensorData(down).buffer.slice(0));
    const lff = values.get("blk.1.ia3_ff")!;
    for (const i of [0, 171, 172, 5000, 172 * 64 - 1]) expect(downMerged[i]).toBe(Math.fround(downBase[i]! * lff[i % 172]!));
    const q = merged.tensor("blk.3.attn_q.weight");
    expect(q.type).toBe(GgmlType.Q8_0);
    expect(merged.readTensorData(q)).toEqual(source.readTensorData("blk.3.attn_q.weight"));
    prepared.dispose();
    engine.dispose();
  });

  it("refuses an adapter made for another base shape", async () => {
    const small = await EngineModel.load(await smallRandomModel("llama", root), { threads: 1 });
    expect(() => loadIa3Adapter(small, path.join(root, "run", "adapter", "ia3.gguf"))).toThrow(/made for a base with nLayer = 5, this base has 2/);
    small.dispose();
  });
});
