// `tokenizer.ggml.pre` for a byte-level BPE tokenizer.json: the name llama.cpp gives the pre-tokenizer (its word
// splitting regex), found from the tokenizer's own pre_tokenizer. convert_hf_to_gguf.py identifies the pre-tokenizer
// by hashing the token ids of a test text (get_vocab_base_pre), which needs the tokenizer itself; the pre_tokenizer
// steps are what that hash stands for, and what llama.cpp re-implements per name (llama-vocab.cpp,
// LLAMA_VOCAB_PRE_TYPE_*). Where llama.cpp has two names for one regex, the name is the one whose other switches
// (ignore_merges) behave as the tokenizer.json does.
import { HfModelError } from "../errors.js";
import { isJsonObject, type JsonObject } from "./hf-files.js";

/** One pre-tokenizer llama.cpp knows by name, as a tokenizer.json spells it. */
export interface KnownPreTokenizer {
  /** llama.cpp's name (tokenizer.ggml.pre). */
  pre: string;
  /** Models whose tokenizer.json has it. */
  examples: string;
  /** The Split step's regex, or none (ByteLevel's own GPT-2 regex alone). */
  splitRegex?: string;
  /**
   * ByteLevel applies GPT-2's own regex too (use_regex true, its default): alone that is GPT-2's pre-tokenizer; after
   * a Split that only cuts digits apart, EXAONE's.
   */
  byteLevelRegex: boolean;
  /** tokenizer.json's model.ignore_merges this name goes with (llama.cpp's LLAMA3 pre-tokenizer ignores merges). */
  ignoreMerges?: boolean;
}

/** cl100k_base's regex (tiktoken): Llama 3, DBRX, Phi-4. */
const CL100K = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

export const KNOWN_PRE_TOKENIZERS: readonly KnownPreTokenizer[] = [
  // cl100k with whole-word lookup before merges (transformers' tiktoken conversion for Llama 3 sets ignore_merges).
  { pre: "llama-bpe", examples: "Llama 3, 3.1, 3.2", splitRegex: CL100K, byteLevelRegex: false, ignoreMerges: true },
  // The same regex with merges only: llama.cpp's DBRX pre-tokenizer, the name convert's hash gives Phi-4 (14B).
  { pre: "dbrx", examples: "Phi-4, DBRX", splitRegex: CL100K, byteLevelRegex: false, ignoreMerges: false },
  {
    pre: "qwen2",
    // cl100k's regex with single digits.
    splitRegex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    byteLevelRegex: false,
    examples: "Qwen2, Qwen2.5, Qwen3",
  },
  {
    pre: "gpt-4o",
    // o200k_base's regex: case-aware words with the contraction attached, digits in threes, "/" kept with symbols.
    splitRegex:
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    byteLevelRegex: false,
    examples: "Phi-4-mini, GPT-4o",
  },
  // Every digit apart, then GPT-2's regex: llama.cpp's EXAONE pre-tokenizer ("\p{N}" then GPT-2's; StarCoder, Refact
  // and CodeShell split the same way under their own names).
  { pre: "exaone", examples: "EXAONE 3.0, 3.5", splitRegex: "\\p{N}", byteLevelRegex: true },
  // GPT-2's own: ByteLevel with its built-in regex and no Split before it.
  { pre: "gpt-2", examples: "GPT-2's ByteLevel regex", byteLevelRegex: true },
];

function steps(pre: unknown): JsonObject[] {
  if (!isJsonObject(pre)) return [];
  if (pre["type"] === "Sequence" && Array.isArray(pre["pretokenizers"])) return pre["pretokenizers"].filter(isJsonObject);
  return [pre];
}

/** The regex of a Split step that isolates its matches ({"pattern": {"Regex": ...}, "behavior": "Isolated"}). */
function splitRegex(step: JsonObject): string | undefined {
  const pattern = step["pattern"];
  const isolated = step["behavior"] === undefined || step["behavior"] === "Isolated";
  return step["type"] === "Split" && isolated && step["invert"] !== true && isJsonObject(pattern) && typeof pattern["Regex"] === "string" ? pattern["Regex"] : undefined;
}

/** The shape of a pre_tokenizer this module can name: at most one Split, then ByteLevel. */
function shapeOf(preTokenizer: unknown): Omit<KnownPreTokenizer, "pre" | "examples" | "ignoreMerges"> | undefined {
  const list = steps(preTokenizer);
  const byteLevel = list.at(-1);
  if (!byteLevel || byteLevel["type"] !== "ByteLevel") return undefined;
  const byteLevelRegex = byteLevel["use_regex"] !== false;
  if (list.length === 1) return { byteLevelRegex };
  if (list.length !== 2) return undefined;
  const regex = splitRegex(list[0]!);
  return regex === undefined ? undefined : { splitRegex: regex, byteLevelRegex };
}

/**
 * llama.cpp's pre-tokenizer name for a byte-level BPE tokenizer.json's `pre_tokenizer`; `model` is tokenizer.json's
 * model (its ignore_merges tells Llama 3's cl100k from DBRX's and Phi-4's).
 */
export function bpePreTokenizer(folder: string, preTokenizer: unknown, model?: unknown): string {
  const shape = shapeOf(preTokenizer);
  const ignoreMerges = isJsonObject(model) && model["ignore_merges"] === true;
  const known = shape && KNOWN_PRE_TOKENIZERS.find((k) => k.splitRegex === shape.splitRegex && k.byteLevelRegex === shape.byteLevelRegex && (k.ignoreMerges === undefined || k.ignoreMerges === ignoreMerges));
  if (known) return known.pre;
  const supported = KNOWN_PRE_TOKENIZERS.map((k) => `${k.pre} (${k.examples})`).join(", ");
  throw new HfModelError(folder, {
    en: `tokenizer.json's pre_tokenizer ${JSON.stringify(preTokenizer).slice(0, 300)} is not one localtune can name for llama.cpp; known: ${supported}. A wrong name would split words differently from the original tokenizer, so the import stops`,
    ko: `tokenizer.json의 pre_tokenizer ${JSON.stringify(preTokenizer).slice(0, 300)}는 localtune이 llama.cpp 이름으로 알 수 없는 것입니다. 아는 것: ${supported}. 이름이 틀리면 원래 토크나이저와 단어를 다르게 나누므로 가져오기를 멈춥니다`,
  });
}
