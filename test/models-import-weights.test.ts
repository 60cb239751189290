// `models import` on random-weight Hugging Face checkpoints of every registered architecture: llama.cpp's
// log-probabilities on the imported GGUF equal a naive float64 forward over the checkpoint's own tensors
// (test/helpers/hf-reference-forward.ts, transformers' equations, no localtune engine code).
// Tolerance: max |dlogp| below 1e-3 of the logit range for an F32 import (llama.cpp computes in float32 with its own
// summation order; measured 2.1-3.0e-7), below 5e-2 for a Q8_0 import of a BF16 checkpoint (quantization; measured
// 1.1-1.8e-2).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { ARCHITECTURES } from "../src/arch/registry.js";
import { importHfModel } from "../src/models/index.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { HF_FAMILIES, randomCheckpoint, type HfTestShape } from "./helpers/hf-families.js";
import { smallByteLevelTokenizer, writeHfFolder } from "./helpers/hf-folder.js";
import { referenceLogits } from "./helpers/hf-reference-forward.js";
import { compareLogProbs, referenceLogProbs } from "./helpers/reference-logprobs.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-hf-import-"));
const opened: LlamaModel[] = [];
afterAll(async () => {
  for (const m of opened) await m.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const { tokenizer, tokenizerConfig, nTokens } = smallByteLevelTokenizer();
// GQA (4 query heads over 2 kv heads), a head width other than E / H, and a vocabulary padded beyond the tokenizer.
const SHAPE: HfTestShape = { nLayer: 2, nEmbd: 64, nHead: 4, nHeadKv: 2, headDim: 32, nFf: 96, nVocab: nTokens + 11, tied: false };
const TOKENS = [104, 101, 108, 108, 111, 32, 256, 258, 40, 41, 200, 17, 5, 99];

/** Imports a checkpoint and returns the worst max |dlogp| / logit range over the positions of TOKENS. */
async function importAndCompare(arch: string, options: { shards: number; dtype: "F32" | "BF16"; tied: boolean; type: "f32" | "q8_0"; seed: number }): Promise<number> {
  const family = HF_FAMILIES[arch];
  if (!family) throw new Error(`no Hugging Face layout for ${arch} in test/helpers/hf-families.ts: add one so its import is verified`);
  const shape = { ...SHAPE, ...family.shape, tied: options.tied };
  const checkpoint = randomCheckpoint(family, shape, options.seed, options.dtype);
  const folder = path.join(dir, `${arch}-${options.seed}`);
  writeHfFolder(folder, { config: checkpoint.config, tensors: checkpoint.tensors, shards: options.shards, tokenizer, tokenizerConfig });
  const out = path.join(dir, `${arch}-${options.seed}.gguf`);
  // general.name stays neutral: llama.cpp gives a model named "phi3..." Phi-3's token attributes, which need its vocabulary.
  const result = await importHfModel({ folder, out, type: options.type, name: `random checkpoint ${options.seed}` });
  expect(result).toMatchObject({ arch, shards: options.shards, tiedEmbeddings: options.tied, vocab: { model: "gpt2", pre: "qwen2", tokens: SHAPE.nVocab } });

  const ours = referenceLogits({ ...shape, rmsNormEps: 1e-6, ropeTheta: 10000, ...family.reference }, checkpoint.lookup, TOKENS);
  const model = await loadLlamaModel(out, { gpu: "cpu" });
  opened.push(model);
  const theirs = await referenceLogProbs(model, TOKENS, SHAPE.nVocab);
  let worst = 0;
  for (let i = 0; i < TOKENS.length; i++) {
    // The padding ids have logits too (their embedding rows are random): compare the whole vocabulary.
    const { maxDiff, logitRange } = compareLogProbs(ours[i]!, theirs[i]!);
    expect(logitRange).toBeGreaterThan(1);
    worst = Math.max(worst, maxDiff / logitRange);
  }
  console.log(`models import ${arch} (${options.dtype} checkpoint, ${options.shards} shard(s), ${options.tied ? "tied" : "own lm_head"}, ${options.type}): max |dlogp| / logit range = ${worst.toExponential(2)}`);
  return worst;
}

describe("models import: llama.cpp on the imported GGUF equals a reference forward over the Hugging Face tensors", () => {
  for (const { name } of ARCHITECTURES) {
    it(`${name}: F32 checkpoint in 3 shards, own lm_head, imported as f32`, async () => {
      expect(await importAndCompare(name, { shards: 3, dtype: "F32", tied: false, type: "f32", seed: 11 })).toBeLessThan(1e-3);
    });
    it(`${name}: BF16 checkpoint, tied embeddings, imported as q8_0`, async () => {
      expect(await importAndCompare(name, { shards: 1, dtype: "BF16", tied: true, type: "q8_0", seed: 12 })).toBeLessThan(5e-2);
    });
  }

  it("writes the metadata llama.cpp reads from config.json", async () => {
    const file = readGguf(path.join(dir, "qwen3-11.gguf"));
    const key = (k: string) => file.metadata.get(`qwen3.${k}`);
    expect(key("block_count")).toEqual({ type: "uint32", value: 2 });
    expect(key("attention.key_length")).toEqual({ type: "uint32", value: 32 });
    expect(key("attention.head_count_kv")).toEqual({ type: "uint32", value: 2 });
    expect(key("attention.layer_norm_rms_epsilon")).toEqual({ type: "float32", value: Math.fround(1e-6) });
    expect(file.getString("tokenizer.chat_template")).toContain("messages");
    expect(file.getU32("tokenizer.ggml.eos_token_id")).toBe(nTokens - 1);
  });
});
