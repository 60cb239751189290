// `models import` on random-weight Hugging Face checkpoints of every registered architecture: llama.cpp's
// log-probabilities on the imported GGUF equal a naive float64 forward over the checkpoint's own tensors
// (test/helpers/hf-reference-forward.ts, transformers' equations, no localtune engine code).
// Tolerance: max |dlogp| below 1e-3 of the logit range for an F32 import (llama.cpp computes in float32 with its own
// summation order; measured 2.1-3.0e-7; gemma3 4.8e-5 and 1.9e-4 because llama.cpp's CPU GELU reads an F16 lookup table:
// the reference rounded the same way measures 2.2e-7), below 5e-2 for a Q8_0 import of a BF16 checkpoint
// (quantization; measured 1.1-3.5e-2). bench/hf_reference_forward.py checks llama and gemma3 against PyTorch by hand.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { ARCHITECTURES } from "../src/arch/registry.js";
import { importHfModel, type ImportHfModelResult } from "../src/models/index.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { HF_FAMILIES, randomCheckpoint, type HfTestShape } from "./helpers/hf-families.js";
import { smallByteLevelTokenizer, writeHfFolder, type HfTensor } from "./helpers/hf-folder.js";
import { referenceLogits, type ReferenceConfig } from "./helpers/hf-reference-forward.js";
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

interface CaseOptions {
  shards: number;
  dtype: "F32" | "BF16";
  tied: boolean;
  type: "f32" | "q8_0";
  seed: number;
  /** Rewrites the folder's config.json and tensors before they are written (another layout of the same weights). */
  layout?: (checkpoint: { config: Record<string, unknown>; tensors: HfTensor[] }) => void;
  /** What the reference does beyond the family's defaults for this case (LongRoPE's factors). */
  reference?: Partial<ReferenceConfig>;
}

/** Imports a checkpoint and returns the worst max |dlogp| / logit range over the positions of TOKENS. */
async function importAndCompare(arch: string, options: CaseOptions): Promise<{ worst: number; result: ImportHfModelResult }> {
  const family = HF_FAMILIES[arch];
  if (!family) throw new Error(`no Hugging Face layout for ${arch} in test/helpers/hf-families.ts: add one so its import is verified`);
  const shape = { ...SHAPE, ...family.shape, tied: options.tied };
  const checkpoint = randomCheckpoint(family, shape, options.seed, options.dtype);
  // The reference reads config.json as the family's checkpoint has it, before a layout moves it (into text_config).
  const reference = { ...shape, rmsNormEps: 1e-6, ropeTheta: 10000, ...family.reference, ...family.referenceFrom?.(checkpoint.config, shape), ...options.reference };
  options.layout?.(checkpoint);
  const folder = path.join(dir, `${arch}-${options.seed}`);
  writeHfFolder(folder, { config: checkpoint.config, tensors: checkpoint.tensors, shards: options.shards, tokenizer, tokenizerConfig });
  const out = path.join(dir, `${arch}-${options.seed}.gguf`);
  // general.name stays neutral: llama.cpp gives a model named "phi3..." Phi-3's token attributes, which need its vocabulary.
  const result = await importHfModel({ folder, out, type: options.type, name: `random checkpoint ${options.seed}` });
  expect(result).toMatchObject({ arch, shards: options.shards, tiedEmbeddings: options.tied, vocab: { model: "gpt2", pre: "qwen2", tokens: SHAPE.nVocab } });

  const ours = referenceLogits(reference, checkpoint.lookup, TOKENS);
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
  console.log(`models import ${arch}${options.layout || options.reference ? ` (seed ${options.seed} layout)` : ""} (${options.dtype} checkpoint, ${options.shards} shard(s), ${options.tied ? "tied" : "own lm_head"}, ${options.type}): max |dlogp| / logit range = ${worst.toExponential(2)}`);
  return { worst, result };
}

/** Gemma3ForConditionalGeneration's layout (transformers < 4.52, as google/gemma-3-4b-it publishes it): the decoder under
 *  language_model.model., its config in text_config, and a vision tower and projector beside it. */
function gemma3Multimodal(checkpoint: { config: Record<string, unknown>; tensors: HfTensor[] }): void {
  const { architectures: _, ...text } = checkpoint.config;
  checkpoint.config = { architectures: ["Gemma3ForConditionalGeneration"], model_type: "gemma3", text_config: { ...text, model_type: "gemma3_text" }, vision_config: { model_type: "siglip_vision_model", hidden_size: 8 }, mm_tokens_per_image: 4 };
  for (const t of checkpoint.tensors) t.name = t.name.replace(/^model\./, "language_model.model.");
  const small = (name: string, shape: number[]): HfTensor => ({ name, shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5) });
  checkpoint.tensors.push(
    small("vision_tower.vision_model.embeddings.patch_embedding.weight", [8, 3, 2, 2]),
    small("vision_tower.vision_model.post_layernorm.weight", [8]),
    small("multi_modal_projector.mm_input_projection_weight", [8, SHAPE.nEmbd]),
    small("multi_modal_projector.mm_soft_emb_norm.weight", [8]),
  );
}

describe("models import: llama.cpp on the imported GGUF equals a reference forward over the Hugging Face tensors", () => {
  for (const { name } of ARCHITECTURES) {
    it(`${name}: F32 checkpoint in 3 shards, own lm_head, imported as f32`, async () => {
      expect((await importAndCompare(name, { shards: 3, dtype: "F32", tied: false, type: "f32", seed: 11 })).worst).toBeLessThan(1e-3);
    });
    it(`${name}: BF16 checkpoint, tied embeddings, imported as q8_0`, async () => {
      expect((await importAndCompare(name, { shards: 1, dtype: "BF16", tied: true, type: "q8_0", seed: 12 })).worst).toBeLessThan(5e-2);
    });
  }

  it("gemma3: a Gemma3ForConditionalGeneration checkpoint imports its text decoder and lists the vision tower as skipped", async () => {
    const { worst, result } = await importAndCompare("gemma3", { shards: 2, dtype: "F32", tied: true, type: "f32", seed: 13, layout: gemma3Multimodal });
    expect(worst).toBeLessThan(1e-3);
    expect(result.hfArchitecture).toBe("Gemma3ForConditionalGeneration");
    expect(result.skipped.filter((n) => /^(vision_tower|multi_modal_projector)\./.test(n)).sort()).toEqual([
      "multi_modal_projector.mm_input_projection_weight",
      "multi_modal_projector.mm_soft_emb_norm.weight",
      "vision_tower.vision_model.embeddings.patch_embedding.weight",
      "vision_tower.vision_model.post_layernorm.weight",
    ]);
  });

  // LongRoPE with factors other than 1 and a 32x longer context than the original: llama.cpp's 32-token context is
  // within the original 4096, so it rotates with the short factors, as transformers does for 14 tokens; both scale cos
  // and sin by sqrt(1 + ln 32 / ln 4096).
  it("phi3: a LongRoPE config imports its short and long factors and attention factor", async () => {
    const half = 8; // Phi-3's test heads are 16 wide, all rotated
    const shortFactor = Array.from({ length: half }, (_, i) => 1 + 0.35 * i);
    const longFactor = Array.from({ length: half }, (_, i) => 2 + 3 * i);
    const attnFactor = Math.sqrt(1 + Math.log(32) / Math.log(4096));
    const { worst } = await importAndCompare("phi3", {
      shards: 1,
      dtype: "F32",
      tied: false,
      type: "f32",
      seed: 14,
      layout: (c) => void Object.assign(c.config, { max_position_embeddings: 131072, original_max_position_embeddings: 4096, rope_scaling: { type: "longrope", short_factor: shortFactor, long_factor: longFactor } }),
      reference: { ropeFactors: shortFactor, ropeAttnFactor: attnFactor },
    });
    expect(worst).toBeLessThan(1e-3);
    const file = readGguf(path.join(dir, "phi3-14.gguf"));
    expect(file.metadata.get("phi3.rope.scaling.type")).toEqual({ type: "string", value: "longrope" });
    expect(file.metadata.get("phi3.rope.scaling.attn_factor")).toEqual({ type: "float32", value: Math.fround(attnFactor) });
    expect(file.metadata.get("phi3.rope.scaling.original_context_length")).toEqual({ type: "uint32", value: 4096 });
    expect(file.metadata.get("phi3.context_length")).toEqual({ type: "uint32", value: 131072 });
    const values = (name: string) => {
      const bytes = file.readTensorData(name);
      return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    };
    expect(values("rope_factors_short.weight")).toEqual(shortFactor.map(Math.fround));
    expect(values("rope_factors_long.weight")).toEqual(longFactor.map(Math.fround));
  });

  it("writes Gemma 3's windows, RoPE bases and soft-cap as llama.cpp's gemma3 reads them", () => {
    const key = (file: string, k: string) => readGguf(path.join(dir, file)).metadata.get(`gemma3.${k}`);
    for (const file of ["gemma3-11.gguf", "gemma3-12.gguf", "gemma3-13.gguf"]) {
      expect(key(file, "attention.sliding_window")).toEqual({ type: "uint32", value: 4 });
      // sliding_window_pattern 2 (seed 11) and layer_types [sliding, full] (seed 12) are the same period.
      expect(key(file, "attention.sliding_window_pattern")).toEqual({ type: "uint32", value: 2 });
      expect(key(file, "rope.freq_base_swa")).toEqual({ type: "float32", value: 10000 });
      expect(key(file, "rope.freq_base")).toEqual({ type: "float32", value: 1e6 });
      expect(key(file, "rope.scaling.factor")).toEqual({ type: "float32", value: 2 });
    }
    expect(key("gemma3-11.gguf", "final_logit_softcapping")).toBeUndefined();
    expect(key("gemma3-12.gguf", "final_logit_softcapping")).toEqual({ type: "float32", value: 3 });
    // The stored norms are Gemma's w + 1 (convert's norm_shift): centred on 1, not on the checkpoint's 0.
    const bytes = readGguf(path.join(dir, "gemma3-11.gguf")).readTensorData("blk.0.post_ffw_norm.weight");
    const norm = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(norm.reduce((a, b) => a + b, 0) / norm.length).toBeCloseTo(1, 1);
  });

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
