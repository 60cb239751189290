// Each pre_tokenizer llama.cpp knows by name, spelled as tokenizer.json files spell it, maps to that name; anything
// else stops the import. (test/models-import-tokenizers.test.ts checks that llama.cpp then splits as Hugging Face does.)
import { describe, expect, it } from "vitest";
import { HfModelError } from "../errors.js";
import { bpePreTokenizer, KNOWN_PRE_TOKENIZERS, type KnownPreTokenizer } from "./pre-tokenizer.js";

/** The pre_tokenizer object a tokenizer.json holds for a known pre-tokenizer, as transformers writes it. */
function preTokenizerJson(k: Pick<KnownPreTokenizer, "splitRegex" | "byteLevelRegex">): unknown {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: k.byteLevelRegex };
  if (k.splitRegex === undefined) return byteLevel;
  return { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: k.splitRegex }, behavior: "Isolated", invert: false }, byteLevel] };
}

describe("models import: pre-tokenizer names", () => {
  it("every known regex maps to its llama.cpp name", () => {
    const names = Object.fromEntries(KNOWN_PRE_TOKENIZERS.map((k) => [k.pre, bpePreTokenizer("f", preTokenizerJson(k), { type: "BPE", ignore_merges: k.ignoreMerges ?? false })]));
    expect(names).toEqual({ "llama-bpe": "llama-bpe", dbrx: "dbrx", qwen2: "qwen2", "gpt-4o": "gpt-4o", exaone: "exaone", "gpt-2": "gpt-2" });
  });

  it("cl100k's regex is Llama 3's with ignore_merges (whole words first) and DBRX's / Phi-4's without", () => {
    const cl100k = KNOWN_PRE_TOKENIZERS.find((k) => k.pre === "llama-bpe")!;
    expect(bpePreTokenizer("f", preTokenizerJson(cl100k), { type: "BPE", ignore_merges: true })).toBe("llama-bpe");
    expect(bpePreTokenizer("f", preTokenizerJson(cl100k), { type: "BPE", ignore_merges: false })).toBe("dbrx");
    expect(bpePreTokenizer("f", preTokenizerJson(cl100k), { type: "BPE" })).toBe("dbrx");
  });

  it("EXAONE's digit split needs ByteLevel's own regex after it; GPT-2's is ByteLevel alone", () => {
    expect(bpePreTokenizer("f", preTokenizerJson({ splitRegex: "\\p{N}", byteLevelRegex: true }))).toBe("exaone");
    expect(() => bpePreTokenizer("f", preTokenizerJson({ splitRegex: "\\p{N}", byteLevelRegex: false }))).toThrow(HfModelError);
    expect(bpePreTokenizer("f", { type: "ByteLevel", add_prefix_space: false, trim_offsets: true })).toBe("gpt-2");
  });

  it("refuses an unknown regex, a Split that does not isolate, and steps beyond Split + ByteLevel", () => {
    const qwen2 = KNOWN_PRE_TOKENIZERS.find((k) => k.pre === "qwen2")!;
    const split = { type: "Split", pattern: { Regex: qwen2.splitRegex }, behavior: "Isolated", invert: false };
    const byteLevel = { type: "ByteLevel", use_regex: false };
    expect(() => bpePreTokenizer("my-folder", preTokenizerJson({ splitRegex: "\\s+", byteLevelRegex: false }))).toThrow(/my-folder: tokenizer.json's pre_tokenizer .* known: llama-bpe/);
    expect(() => bpePreTokenizer("f", { type: "Sequence", pretokenizers: [{ ...split, behavior: "MergedWithPrevious" }, byteLevel] })).toThrow(HfModelError);
    expect(() => bpePreTokenizer("f", { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, split, byteLevel] })).toThrow(HfModelError);
    expect(() => bpePreTokenizer("f", null)).toThrow(HfModelError);
  });
});
