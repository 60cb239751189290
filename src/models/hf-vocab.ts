// tokenizer.json -> the GGUF vocabulary llama.cpp tokenizes with. Two kinds, as convert_hf_to_gguf.py makes them:
// - byte-level BPE (GPT-2 style: Qwen, Llama 3): tokenizer.ggml.model "gpt2", the tokens as the file spells them
//   (bytes mapped to printable characters), the merges, and the pre-tokenizer's name (pre-tokenizer.ts);
// - SentencePiece-derived BPE with byte fallback (Gemma, Llama 2 exported by transformers): model "llama", tokens with
//   "▁" for spaces, a score per token (llama.cpp's SPM tokenizer merges the pair whose result scores highest), byte
//   tokens <0xXX>, and no merges.
// Token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte (llama_token_type).
import { HfModelError } from "../errors.js";
import { gguf, type GgufValue } from "../formats/gguf/index.js";
import { isJsonObject, type JsonObject } from "./hf-files.js";
import { bpePreTokenizer } from "./pre-tokenizer.js";

export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** SentencePiece's score for added tokens and gguf-py's for padding ids: never preferred by a merge. */
const ADDED_SCORE = -1000;
const PAD_SCORE = -10000;

export interface HfVocab {
  /** tokenizer.* metadata in gguf-py's order: model, pre, tokens, scores, token_type, merges, add_space_prefix. */
  metadata: Map<string, GgufValue>;
  kind: "gpt2" | "llama";
  /** Tokens written (config.json's vocab_size, ids the tokenizer does not use filled with [PAD<id>]). */
  tokens: number;
  /**
   * Tokenizer entries whose id is beyond config.json's vocab_size ("text = id"): the model has no embedding for them,
   * so they are left out, as convert_hf_to_gguf.py does (Gemma 3 1B's tokenizer lists <image_soft_token> = 262144).
   */
  dropped: string[];
  merges: number;
}

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/**
 * Added tokens that ought to be control tokens even when the file marks them otherwise (convert_hf_to_gguf.py's
 * does_token_look_special): <|...|>, <｜...｜>, Gemma's <unusedN>, <mask>, <2mass>, [@BOS@] and <pad>.
 */
function looksSpecial(text: string): boolean {
  return (
    ["<pad>", "<mask>", "<2mass>", "[@BOS@]"].includes(text) ||
    (text.startsWith("<|") && text.endsWith("|>")) ||
    (text.startsWith("<｜") && text.endsWith("｜>")) ||
    (text.startsWith("<unused") && text.endsWith(">"))
  );
}

function addedTokens(tokenizer: JsonObject): AddedToken[] {
  const list = Array.isArray(tokenizer["added_tokens"]) ? tokenizer["added_tokens"].filter(isJsonObject) : [];
  return list
    .filter((t) => typeof t["id"] === "number" && typeof t["content"] === "string")
    .map((t) => ({ id: t["id"] as number, content: t["content"] as string, special: t["special"] === true }));
}

/** A merge as llama.cpp stores it: "left right", a space inside a part written as U+0120 (as gguf-py does). */
function mergeText(merge: unknown): string | undefined {
  if (typeof merge === "string") return merge;
  if (Array.isArray(merge) && merge.length === 2 && merge.every((p) => typeof p === "string")) {
    return (merge as string[]).map((part) => part.replaceAll(" ", "\u0120")).join(" ");
  }
  return undefined;
}

/** Token text and type per id, the added tokens typed as control or user-defined. */
function tokenTable(folder: string, model: JsonObject, added: AddedToken[], nVocab: number, spm: boolean) {
  const vocab = model["vocab"];
  if (!isJsonObject(vocab)) throw new HfModelError(folder, { en: 'tokenizer.json has no "model.vocab" object', ko: 'tokenizer.json에 "model.vocab" 객체가 없습니다' });
  const tokens: string[] = Array.from({ length: nVocab }, (_, i) => `[PAD${i}]`);
  const types = new Int32Array(nVocab).fill(TOKEN_TYPE.unused);
  const tooLarge: string[] = [];
  const unk = typeof model["unk_token"] === "string" ? model["unk_token"] : undefined;
  for (const [text, id] of Object.entries(vocab)) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) continue;
    if (id >= nVocab) {
      tooLarge.push(`${JSON.stringify(text)} = ${id}`);
      continue;
    }
    tokens[id] = text;
    types[id] = spm && /^<0x[0-9A-Fa-f]{2}>$/.test(text) ? TOKEN_TYPE.byte : spm && text === unk ? TOKEN_TYPE.unknown : TOKEN_TYPE.normal;
  }
  for (const t of added) {
    if (t.id >= nVocab) {
      tooLarge.push(`${JSON.stringify(t.content)} = ${t.id}`);
      continue;
    }
    if (t.special || looksSpecial(t.content)) {
      tokens[t.id] = t.content;
      types[t.id] = TOKEN_TYPE.control;
    } else {
      // llama.cpp matches user-defined tokens in the raw text, before spaces become "▁".
      tokens[t.id] = t.content.replaceAll("\u2581", " ");
      types[t.id] = TOKEN_TYPE.userDefined;
    }
  }
  return { tokens, types, dropped: tooLarge };
}

/**
 * SentencePiece scores from the merges: transformers' converter wrote the merges in the order of the merged pieces'
 * scores, best first, so the rank of the first merge that makes a piece orders the pieces as their scores did.
 * Pieces no merge makes (single characters, bytes) get 0: llama.cpp only compares the scores of merge results.
 */
function spmScores(tokens: readonly string[], types: Int32Array, merges: readonly string[]): Float32Array {
  const scores = new Float32Array(tokens.length);
  const rank = new Map<string, number>();
  merges.forEach((m, i) => {
    const space = m.indexOf(" ");
    const piece = m.slice(0, space) + m.slice(space + 1);
    if (!rank.has(piece)) rank.set(piece, i);
  });
  for (let id = 0; id < tokens.length; id++) {
    if (types[id] === TOKEN_TYPE.control || types[id] === TOKEN_TYPE.userDefined) scores[id] = ADDED_SCORE;
    else if (types[id] === TOKEN_TYPE.unused) scores[id] = PAD_SCORE;
    else scores[id] = -(rank.get(tokens[id]!) ?? 0);
  }
  return scores;
}

/** Whether the normalizer or pre-tokenizer puts "▁" before the text (SentencePiece's add_dummy_prefix). */
function addsSpacePrefix(tokenizer: JsonObject): boolean {
  const all = (node: unknown): JsonObject[] => {
    if (!isJsonObject(node)) return [];
    const inner = [node["normalizers"], node["pretokenizers"]].flatMap((l) => (Array.isArray(l) ? l.flatMap(all) : []));
    return [node, ...inner];
  };
  const steps = [...all(tokenizer["normalizer"]), ...all(tokenizer["pre_tokenizer"])];
  return steps.some(
    (s) =>
      (s["type"] === "Prepend" && s["prepend"] === "\u2581") ||
      (s["type"] === "Metaspace" && (s["add_prefix_space"] === true || s["prepend_scheme"] === "always" || s["prepend_scheme"] === "first")),
  );
}

/** The vocabulary metadata of a tokenizer.json for a model of `nVocab` embedding rows. */
export function hfVocab(folder: string, tokenizer: JsonObject, nVocab: number): HfVocab {
  const model = tokenizer["model"];
  if (!isJsonObject(model) || model["type"] !== "BPE") {
    const type = isJsonObject(model) ? String(model["type"]) : "none";
    throw new HfModelError(folder, {
      en: `tokenizer.json's model is ${type}; models import reads BPE tokenizers (byte-level like Qwen and Llama 3, or SentencePiece-derived with byte fallback like Gemma)`,
      ko: `tokenizer.json의 모델이 ${type}입니다. models import는 BPE 토크나이저(Qwen, Llama 3 같은 바이트 수준, 또는 Gemma 같은 바이트 폴백 SentencePiece 계열)를 읽습니다`,
    });
  }
  const rawMerges = Array.isArray(model["merges"]) ? model["merges"] : [];
  const merges = rawMerges.map(mergeText);
  if (merges.some((m) => m === undefined || !m.includes(" "))) {
    throw new HfModelError(folder, { en: 'tokenizer.json\'s "model.merges" must be "left right" strings or [left, right] pairs', ko: 'tokenizer.json의 "model.merges"는 "왼쪽 오른쪽" 문자열이나 [왼쪽, 오른쪽] 쌍이어야 합니다' });
  }
  // LlamaHfVocab's test: a BPE with byte fallback is a SentencePiece vocabulary in transformers' clothes.
  const spm = model["byte_fallback"] === true;
  const { tokens, types, dropped } = tokenTable(folder, model, addedTokens(tokenizer), nVocab, spm);
  const metadata = new Map<string, GgufValue>();
  if (spm) {
    metadata.set("tokenizer.ggml.model", gguf.str("llama"));
    metadata.set("tokenizer.ggml.pre", gguf.str("default"));
    metadata.set("tokenizer.ggml.tokens", gguf.strings(tokens));
    metadata.set("tokenizer.ggml.scores", gguf.array({ itemType: "float32", items: spmScores(tokens, types, merges as string[]) }));
    metadata.set("tokenizer.ggml.token_type", gguf.array({ itemType: "int32", items: types }));
    metadata.set("tokenizer.ggml.add_space_prefix", gguf.bool(addsSpacePrefix(tokenizer)));
    return { metadata, kind: "llama", tokens: tokens.length, merges: 0, dropped };
  }
  metadata.set("tokenizer.ggml.model", gguf.str("gpt2"));
  metadata.set("tokenizer.ggml.pre", gguf.str(bpePreTokenizer(folder, tokenizer["pre_tokenizer"], model)));
  metadata.set("tokenizer.ggml.tokens", gguf.strings(tokens));
  metadata.set("tokenizer.ggml.token_type", gguf.array({ itemType: "int32", items: types }));
  metadata.set("tokenizer.ggml.merges", gguf.strings(merges as string[]));
  return { metadata, kind: "gpt2", tokens: tokens.length, merges: merges.length, dropped };
}
