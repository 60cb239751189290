// Token counting for chunking and statistics: the target model's own tokenizer through node-llama-cpp when a model
// is given, else a documented character-based estimate (stats say which one was used).
import { createHash } from "node:crypto";
import type { LlamaModel, Token } from "node-llama-cpp";
import { isHangul } from "./lang.js";

export interface TokenCounter {
  /** "model": exact counts from the model's tokenizer; "estimate": the character rule below. */
  readonly kind: "model" | "estimate";
  /** What the counts mean, for stats and manifest ("stories260K.gguf (llama, vocab 512)" or the estimate rule). */
  readonly description: string;
  count(text: string): number;
}

/**
 * Estimate without a tokenizer: one token per Hangul syllable or CJK character, one per 4 other non-space
 * characters. The 4-characters rule is the usual figure for English BPE vocabularies (OpenAI's tokenizer guide);
 * multilingual vocabularies (Llama 3, Qwen 2.5, Gemma) spend roughly one token per Hangul syllable, older
 * English-centred ones two to three (byte fallback), so Korean counts from this estimate are a lower bound.
 */
export const ESTIMATE_RULE = "estimate: 1 token per Hangul syllable or CJK character + 1 per 4 other non-space characters";

export function estimateTokens(text: string): number {
  let wide = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20) continue;
    if (isHangul(c) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3040 && c <= 0x30ff)) wide++;
    else other++;
  }
  return wide + Math.ceil(other / 4);
}

export const estimateCounter: TokenCounter = { kind: "estimate", description: ESTIMATE_RULE, count: estimateTokens };

/** Exact counts with the model's tokenizer (no BOS/EOS: those are added per sample in the tokenized cache). */
export function modelCounter(model: LlamaModel, name: string): TokenCounter {
  return {
    kind: "model",
    description: `${name} (${model.fileInfo.metadata.tokenizer?.ggml?.model ?? "?"} tokenizer, vocab ${vocabSize(model)})`,
    count: (text) => (text ? model.tokenize(text, false, "trimLeadingSpace").length : 0),
  };
}

export function tokenizeText(model: LlamaModel, text: string): Token[] {
  return text ? model.tokenize(text, false, "trimLeadingSpace") : [];
}

function vocabSize(model: LlamaModel): number {
  return model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
}

/**
 * A key that changes whenever tokenization could change: the GGUF tokenizer metadata (model type, vocabulary,
 * merges, token types, special token ids, chat template). Two models sharing a tokenizer share cached tokens.
 */
export function tokenizerKey(model: LlamaModel): string {
  const ggml = model.fileInfo.metadata.tokenizer?.ggml as Record<string, unknown> | undefined;
  const hash = createHash("sha256");
  const chatTemplate = model.fileInfo.metadata.tokenizer?.chat_template ?? "";
  for (const [key, value] of Object.entries(ggml ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(key).update("\0");
    hash.update(Array.isArray(value) ? value.join("\u0001") : String(value)).update("\0");
  }
  hash.update(String(chatTemplate));
  return `${String(ggml?.model ?? "tok")}-${hash.digest("hex").slice(0, 16)}`;
}
