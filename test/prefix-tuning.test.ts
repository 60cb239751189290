// Prefix tuning: gradients of the prefixes, and of the MLP reparameterisation, equal finite differences; prefixes set
// to a text's keys and values make our logits on the real tokens equal llama.cpp's on text + real tokens; training
// lowers the loss; the saved adapter (the MLP folded away) reloads to identical logits; wrong adapters are refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeRandomModel } from "../src/engine/random-model.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { AdapterFormatError, AdapterMismatchError } from "../src/errors.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { loadPrefixAdapter, prefixTuningMethod, PrefixTuningOptionsSchema, writePrefixAdapter } from "../src/methods/prefix-tuning/index.js";
import { writePromptAdapter } from "../src/methods/prompt-tuning/index.js";
import { captureKeysValues } from "../src/methods/prefix-tuning/init.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { readCheckpoint } from "../src/train/checkpoint.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { checkGradients, tinyModel } from "./helpers/finite-differences.js";
import { compareLogProbs, referenceLogProbs } from "./helpers/reference-logprobs.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-prefix-tuning-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");

const options = (o: Record<string, unknown>) => PrefixTuningOptionsSchema.parse(o);

/** llama's RoPE (normal mode: pairs (2i, 2i+1) of each head rotated by pos * base^(-2i / dims)) applied in place to one head row. */
function ropeNormal(row: Float32Array, offset: number, pos: number, base: number, dims: number): void {
  for (let i = 0; i < dims / 2; i++) {
    const theta = pos * base ** ((-2 * i) / dims);
    const [c, s] = [Math.cos(theta), Math.sin(theta)];
    const x0 = row[offset + 2 * i]!;
    const x1 = row[offset + 2 * i + 1]!;
    row[offset + 2 * i] = x0 * c - x1 * s;
    row[offset + 2 * i + 1] = x0 * s + x1 * c;
  }
}

describe("prefix tuning", () => {
  for (const arch of ["llama", "qwen3"] as const) {
    it(`${arch}: gradients of the prefixes equal finite differences`, async () => {
      const model = await tinyModel(arch);
      const prepared = prefixTuningMethod.prepare(model, options({ prefixTokens: 3 }), 2);
      expect(prepared.trainable.map((t) => t.name)).toEqual(["blk.0.prefix_k", "blk.0.prefix_v", "blk.1.prefix_k", "blk.1.prefix_v"]);
      const { checked, nonZero } = checkGradients(model, prepared.trainable, prepared.hooks, 4);
      expect(checked).toBe(16);
      expect(nonZero).toBeGreaterThan(10);
      prepared.dispose();
      model.dispose();
    });
  }

  it("MLP reparameterisation: gradients of the embedding and both layers equal finite differences", async () => {
    const model = await tinyModel("llama");
    const prepared = prefixTuningMethod.prepare(model, options({ prefixTokens: 3, reparam: true, reparamHidden: 16, reparamEmbd: 8 }), 2);
    expect(prepared.trainable.map((t) => t.name)).toEqual(["prefix.embd", "prefix.mlp.w1", "prefix.mlp.b1", "prefix.mlp.w2", "prefix.mlp.b2"]);
    const { checked, nonZero } = checkGradients(model, prepared.trainable, prepared.hooks, 5);
    expect(checked).toBe(25);
    expect(nonZero).toBeGreaterThan(15);
    prepared.dispose();
    model.dispose();
  });

  it("prefixes = a text's keys and values: our logits on the real tokens equal llama.cpp's on text + real tokens", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const { nLayer: L, headDim: D, nHeadKv: K, nVocab: V, ropeFreqBase, ropeDims } = model.hparams;
    const llama = await loadLlamaModel(STORIES_260K, { gpu: "cpu" });
    const text = llama.tokenize("Once upon a time, there was a dog") as number[];
    const real = llama.tokenize(" named Max. He liked to run in the park") as number[];
    const P = text.length;
    // The text's keys and values; the real tokens keep positions 0.., so the text's keys are rotated to -P..-1:
    // RoPE scores depend only on position differences, which then match llama.cpp's text at 0..P-1, real at P.. .
    const layers = captureKeysValues(model, text).map(({ k, v }) => {
      const pk = new Float32Array(D * P * K); // [D, P, K]
      const pv = new Float32Array(D * P * K);
      for (let j = 0; j < P; j++) {
        for (let h = 0; h < K; h++) {
          const from = j * D * K + h * D; // captured [D*K, T]: token j, head h
          const to = (h * P + j) * D;
          pk.set(k.subarray(from, from + D), to);
          pv.set(v.subarray(from, from + D), to);
          ropeNormal(pk, to, j - P, ropeFreqBase, ropeDims);
        }
      }
      return { k: pk, v: pv };
    });
    expect(layers.length).toBe(L);
    const file = path.join(root, "text-prefix.gguf");
    await writePrefixAdapter(file, model, layers, P, false);
    const adapter = loadPrefixAdapter(file, model);
    const ours = forwardLogits(model, { tokens: Int32Array.from(real), sequences: 1 }, adapter.hooks);
    const context = await llama.createContext({ contextSize: 64, threads: 1, flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
    const theirs = await referenceLogProbs(llama, [...text, ...real], V, context);
    await context.dispose();
    const plain = await referenceLogProbs(llama, real, V);
    await llama.dispose();
    let worst = 0;
    let withoutPrefix = 0;
    for (let i = 0; i < real.length; i++) {
      const row = ours.subarray(i * V, (i + 1) * V);
      const { maxDiff, logitRange } = compareLogProbs(row, theirs[P + i]!);
      worst = Math.max(worst, maxDiff / logitRange);
      withoutPrefix = Math.max(withoutPrefix, compareLogProbs(row, plain[i]!).maxDiff);
    }
    expect(worst).toBeLessThan(1e-4);
    expect(withoutPrefix).toBeGreaterThan(0.5);
    adapter.dispose();
    model.dispose();
  });

  for (const reparam of [false, true]) {
    it(`trains${reparam ? " through the MLP" : ""}, lowers the loss, and the saved adapter reloads to identical logits`, async () => {
      const methodOptions = reparam ? { prefixTokens: 4, reparam: true, reparamHidden: 32 } : { prefixTokens: 4 };
      const out = path.join(root, reparam ? "run-reparam" : "run");
      const { done } = await startTraining({ method: "prefix-tuning", methodOptions, model: STORIES_260K, data: [trainText], out, steps: 10, ctx: 32, batch: 2, lr: 1e-2, threads: 1, evalEvery: 0 });
      const losses = RunFolder.open(out).readMetrics().filter((r) => r.loss !== undefined).map((r) => r.loss!);
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 0.05);
      const adapterFile = done.output!;
      const gguf = readGguf(adapterFile);
      expect(gguf.getString("adapter.type")).toBe("prefix-tuning");
      // Only the per-layer prefixes are saved: no MLP tensors.
      expect(gguf.tensors.map((t) => t.name)).toEqual(Array.from({ length: 5 }, (_, il) => [`blk.${il}.prefix_k`, `blk.${il}.prefix_v`]).flat());
      expect(gguf.tensor("blk.0.prefix_k").ne).toEqual([8, 4, 4]);

      const model = await EngineModel.load(STORIES_260K, { threads: 1 });
      const prepared = prefixTuningMethod.prepare(model, options(methodOptions), 1);
      const folder = RunFolder.open(out);
      const steps = folder.checkpointSteps();
      const saved = readCheckpoint(folder.checkpointPath(steps[steps.length - 1]!), prepared.trainable.map((t) => t.name)).tensors;
      for (const [i, t] of prepared.trainable.entries()) model.api.ggml_backend_tensor_set(t.tensor, saved[i]!.value, 0, saved[i]!.value.byteLength);
      const adapter = loadPrefixAdapter(adapterFile, model);
      expect(adapter.count).toBe(4);
      const tokens = Int32Array.from([1, 450, 260, 300, 310, 320, 330, 340, 1, 403, 407, 261, 378, 290, 280, 270]);
      expect(forwardLogits(model, { tokens, sequences: 2 }, adapter.hooks)).toEqual(forwardLogits(model, { tokens, sequences: 2 }, prepared.hooks));
      adapter.dispose();
      prepared.dispose();
      model.dispose();
    });
  }

  it("refuses a prompt-tuning adapter, another depth and another head width", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const promptFile = path.join(root, "prompt.gguf");
    await writePromptAdapter(promptFile, model, new Float32Array(64 * 2), 2);
    expect(() => loadPrefixAdapter(promptFile, model)).toThrow(AdapterFormatError);
    const prepared = prefixTuningMethod.prepare(model, options({ prefixTokens: 2 }), 1);
    const file = path.join(root, "fresh.gguf");
    await prefixTuningMethod.exportAdapter!(options({ prefixTokens: 2 }), {
      model,
      values: new Map(prepared.trainable.map((t) => [t.name, new Float32Array(model.api.ggml_nelements(t.tensor))])),
      dir: root,
      baseModelPath: STORIES_260K,
    }).then((written) => fs.renameSync(written, file));
    prepared.dispose();
    model.dispose();
    const deeper = path.join(root, "deeper.gguf");
    await writeRandomModel(deeper, { arch: "llama", nLayer: 6, nEmbd: 64, nFf: 64, nHead: 8, nHeadKv: 4, nVocab: 512, seed: 1 });
    const deep = await EngineModel.load(deeper, { threads: 1 });
    expect(() => loadPrefixAdapter(file, deep)).toThrow(/prefixes for 5 layers, the model has 6/);
    deep.dispose();
    const wider = path.join(root, "wider.gguf");
    await writeRandomModel(wider, { arch: "llama", nLayer: 5, nEmbd: 64, nFf: 64, nHead: 4, nHeadKv: 4, nVocab: 512, seed: 1 });
    const wide = await EngineModel.load(wider, { threads: 1 });
    expect(() => loadPrefixAdapter(file, wide)).toThrow(AdapterMismatchError);
    expect(() => loadPrefixAdapter(file, wide)).toThrow(/\[8, 2, 4\], this model needs \[16, 2, 4\]/);
    wide.dispose();
  });
});
