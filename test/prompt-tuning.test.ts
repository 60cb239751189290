// Prompt tuning: gradients of the virtual tokens equal finite differences; virtual tokens initialised from a text's
// embeddings make our logits on the real tokens equal llama.cpp's on text + real tokens (so the real tokens sit at
// positions P..); training lowers the loss; the saved adapter reloads to identical logits; wrong adapters are refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeRandomModel } from "../src/engine/random-model.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { AdapterFormatError, AdapterMismatchError, GgufFormatError } from "../src/errors.js";
import { dequantize, GgmlType, readGguf } from "../src/formats/gguf/index.js";
import { loadPromptAdapter, PROMPT_TENSOR, promptTuningMethod, PromptTuningOptionsSchema } from "../src/methods/prompt-tuning/index.js";
import { fitToCount, tokenizeInitText } from "../src/methods/prompt-tuning/init.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { readCheckpoint } from "../src/train/checkpoint.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { checkGradients, tinyModel } from "./helpers/finite-differences.js";
import { compareLogProbs, referenceLogProbs } from "./helpers/reference-logprobs.js";
import { quantizedStoriesPath, STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-prompt-tuning-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");

const options = (o: Record<string, unknown>) => PromptTuningOptionsSchema.parse(o);

/** Rows `ids` of token_embd.weight decoded from the GGUF file itself (independent of the engine's backend copy). */
function fileEmbeddingRows(file: string, ids: readonly number[]): Float32Array {
  const gguf = readGguf(file);
  const info = gguf.tensor("token_embd.weight");
  const all = dequantize(info.type, gguf.readTensorData(info), info.elementCount);
  const E = info.ne[0]!;
  const out = new Float32Array(E * ids.length);
  ids.forEach((id, i) => out.set(all.subarray(id * E, (id + 1) * E), i * E));
  return out;
}

describe("prompt tuning", () => {
  for (const arch of ["llama", "qwen3"] as const) {
    it(`${arch}: gradients of the virtual tokens equal finite differences`, async () => {
      const model = await tinyModel(arch);
      const prepared = promptTuningMethod.prepare(model, options({ virtualTokens: 3 }), 2);
      const { checked, nonZero } = checkGradients(model, prepared.trainable, prepared.hooks, 12);
      expect(checked).toBe(12);
      expect(nonZero).toBeGreaterThan(8);
      prepared.dispose();
      model.dispose();
    });
  }

  it("starts from the init text's embedding rows (repeated to N), dequantized from a Q8_0 base", async () => {
    const file = await quantizedStoriesPath(GgmlType.Q8_0);
    const model = await EngineModel.load(file, { threads: 1 });
    const ids = [403, 407, 261];
    const prepared = promptTuningMethod.prepare(model, options({ virtualTokens: 7, initTokens: ids }), 1);
    const values = new Float32Array(64 * 7);
    model.api.ggml_backend_tensor_get(prepared.trainable[0]!.tensor, values, 0, values.byteLength);
    expect(values).toEqual(fileEmbeddingRows(file, [403, 407, 261, 403, 407, 261, 403]));
    prepared.dispose();
    model.dispose();
  });

  it("virtual tokens = a text's embeddings: our logits on the real tokens equal llama.cpp's on text + real tokens", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const V = model.hparams.nVocab;
    const textIds = await tokenizeInitText(STORIES_260K, "Once upon a time, there was");
    const N = 2 * textIds.length + 1; // repeated and cut: the reference sees the same repetition
    const prepared = promptTuningMethod.prepare(model, options({ virtualTokens: N, initTokens: textIds }), 1);
    const llama = await loadLlamaModel(STORIES_260K, { gpu: "cpu" });
    const real = llama.tokenize(" a little girl named Lily. She liked to play") as number[];
    const context = await llama.createContext({ contextSize: 64, threads: 1, flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" });
    const theirs = await referenceLogProbs(llama, [...fitToCount(textIds, N), ...real], V, context);
    await context.dispose();
    const plain = await referenceLogProbs(llama, real, V);
    await llama.dispose();

    // Two sequences in one batch: each gets the virtual tokens in front.
    const ours = forwardLogits(model, { tokens: Int32Array.from([...real, ...real]), sequences: 2 }, prepared.hooks);
    let worst = 0;
    let withoutPrefix = 0;
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < real.length; i++) {
        const row = ours.subarray((b * real.length + i) * V, (b * real.length + i + 1) * V);
        const { maxDiff, logitRange } = compareLogProbs(row, theirs[N + i]!);
        worst = Math.max(worst, maxDiff / logitRange);
        withoutPrefix = Math.max(withoutPrefix, compareLogProbs(row, plain[i]!).maxDiff);
      }
    }
    expect(worst).toBeLessThan(1e-4);
    // The check can fail: the same real tokens without the text in front give clearly different predictions.
    expect(withoutPrefix).toBeGreaterThan(0.5);
    prepared.dispose();
    model.dispose();
  });

  it("trains (init text tokenized in the run), lowers the loss, and the saved adapter reloads to identical logits", async () => {
    const out = path.join(root, "run");
    const { done } = await startTraining({
      method: "prompt-tuning",
      methodOptions: { virtualTokens: 8, initText: "Maple Hill" },
      model: STORIES_260K,
      data: [trainText],
      out,
      steps: 10,
      ctx: 32,
      batch: 2,
      lr: 5e-2,
      threads: 1,
      evalEvery: 0,
    });
    const losses = RunFolder.open(out).readMetrics().filter((r) => r.loss !== undefined).map((r) => r.loss!);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 0.05);
    const adapterFile = done.output!;
    const gguf = readGguf(adapterFile);
    expect(gguf.getString("adapter.type")).toBe("prompt-tuning");
    expect(gguf.getString("general.architecture")).toBe("llama");
    expect(gguf.tensor(PROMPT_TENSOR).ne).toEqual([64, 8]);

    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    // The run's own trained values, through the training hooks...
    const folder = RunFolder.open(out);
    const steps = folder.checkpointSteps();
    const saved = readCheckpoint(folder.checkpointPath(steps[steps.length - 1]!), [PROMPT_TENSOR]).tensors[0]!.value;
    const prepared = promptTuningMethod.prepare(model, options({ virtualTokens: 8, initTokens: [1] }), 1);
    model.api.ggml_backend_tensor_set(prepared.trainable[0]!.tensor, saved, 0, saved.byteLength);
    // ...against the adapter file loaded for another use.
    const adapter = loadPromptAdapter(adapterFile, model);
    expect(adapter.count).toBe(8);
    expect(adapter.embeddings).toEqual(saved);
    const tokens = Int32Array.from([1, 450, 260, 300, 310, 320, 330, 340]);
    expect(forwardLogits(model, { tokens, sequences: 1 }, adapter.hooks)).toEqual(forwardLogits(model, { tokens, sequences: 1 }, prepared.hooks));
    // Training moved away from the init text's embeddings.
    const init = fileEmbeddingRows(STORIES_260K, fitToCount(await tokenizeInitText(STORIES_260K, "Maple Hill"), 8));
    expect(saved).not.toEqual(init);
    adapter.dispose();
    prepared.dispose();
    model.dispose();

    // Wrong adapters: another architecture, another width, a model file, a damaged file.
    const qwenFile = path.join(root, "qwen2.gguf");
    await writeRandomModel(qwenFile, { arch: "qwen2", nLayer: 1, nEmbd: 64, nFf: 64, nHead: 4, nHeadKv: 2, nVocab: 512, seed: 1 });
    const qwen = await EngineModel.load(qwenFile, { threads: 1 });
    expect(() => loadPromptAdapter(adapterFile, qwen)).toThrow(AdapterMismatchError);
    qwen.dispose();
    const narrowFile = path.join(root, "narrow.gguf");
    await writeRandomModel(narrowFile, { arch: "llama", nLayer: 1, nEmbd: 32, nFf: 64, nHead: 4, nHeadKv: 2, nVocab: 512, seed: 1 });
    const narrow = await EngineModel.load(narrowFile, { threads: 1 });
    expect(() => loadPromptAdapter(adapterFile, narrow)).toThrow(/shape \[64, 8\].*needs \[32, 8\]/);
    expect(() => loadPromptAdapter(STORIES_260K, narrow)).toThrow(AdapterFormatError);
    const damaged = path.join(root, "damaged.gguf");
    fs.writeFileSync(damaged, fs.readFileSync(adapterFile).subarray(0, 200));
    expect(() => loadPromptAdapter(damaged, narrow)).toThrow(GgufFormatError);
    narrow.dispose();
  });
});
