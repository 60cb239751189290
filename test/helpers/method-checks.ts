// Checks shared by the method tests: gradients of a method's own tensors against central finite differences of the
// loss, and our engine's logits (with the method's hooks) against llama.cpp running an exported model.
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { DecoderHooks } from "../../src/engine/graph/hooks.js";
import { writeRandomModel } from "../../src/engine/random-model.js";
import type { EngineModel } from "../../src/engine/model.js";
import type { TrainableTensor } from "../../src/engine/trainer.js";
import { checkGradients } from "./finite-differences.js";
import { loadLlamaModel } from "../../src/native/llama-runtime.js";
import { compareLogProbs, referenceLogProbs } from "./reference-logprobs.js";
import { TEST_MODEL_SHAPES } from "./test-models.js";

/**
 * For `probes` random entries of every trainable tensor: the analytic gradient equals (L(w+h) - L(w-h)) / 2h.
 * Returns the number of entries checked.
 */
export function expectGradientsMatchFiniteDifferences(model: EngineModel, trainable: readonly TrainableTensor[], hooks: DecoderHooks, probes = 2): number {
  const { checked, nonZero } = checkGradients(model, trainable, hooks, probes);
  // Most probes see a real gradient: a check of zeros against zeros would prove nothing.
  expect(nonZero).toBeGreaterThan(checked / 2);
  return checked;
}

/**
 * Largest |log-prob difference| / logit range between `ours` ([V] per token) and llama.cpp running `modelPath`, with
 * the GGUF LoRA `loraAdapter` applied by llama.cpp itself when given.
 */
export async function worstGapToLlamaCpp(modelPath: string, tokens: readonly number[], ours: Float32Array, V: number, loraAdapter?: string): Promise<number> {
  const reference = await loadLlamaModel(modelPath, { gpu: "cpu" });
  try {
    const context = loraAdapter
      ? await reference.createContext({ contextSize: Math.max(32, tokens.length), threads: 1, flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32", lora: { adapters: [{ filePath: loraAdapter }] } })
      : undefined;
    const theirs = await referenceLogProbs(reference, tokens, V, context);
    await context?.dispose();
    let worst = 0;
    for (let i = 0; i < tokens.length; i++) {
      const { maxDiff, logitRange } = compareLogProbs(ours.subarray(i * V, (i + 1) * V), theirs[i]!);
      expect(logitRange).toBeGreaterThan(0.1);
      worst = Math.max(worst, maxDiff / logitRange);
    }
    return worst;
  } finally {
    await reference.dispose();
  }
}

const SPM_VOCAB = path.resolve("test/fixtures/vocab/ggml-vocab-llama-spm.gguf");

/**
 * A random-weight model of `arch` (2 layers, E 64, F 96, GQA; head width, tied embeddings and sliding window as the
 * architecture's test model has them: qwen2 tied, qwen3 with heads 32 wide) carrying the 32,000-token SentencePiece
 * vocabulary: 5x smaller than the real Qwen vocabulary, which keeps llama.cpp round trips quick. The tokenizer does not
 * take part in logits over given token ids.
 */
export async function smallRandomModel(arch: string, dir: string): Promise<string> {
  const file = path.join(dir, `small-${arch}.gguf`);
  if (!fs.existsSync(file)) {
    const { headDim, tiedEmbeddings, slidingWindow } = TEST_MODEL_SHAPES[arch] ?? {};
    await writeRandomModel(file, { arch, nLayer: 2, nEmbd: 64, nFf: 96, nHead: 4, nHeadKv: 2, headDim, tiedEmbeddings, ...(slidingWindow ? { slidingWindow } : {}), vocabFile: SPM_VOCAB, seed: 7 });
  }
  return file;
}
