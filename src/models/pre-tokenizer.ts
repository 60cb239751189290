// `tokenizer.ggml.pre` for a byte-level BPE tokenizer.json: the name llama.cpp gives the pre-tokenizer (its word
// splitting regex), found from the tokenizer's own Split regex. convert_hf_to_gguf.py identifies the pre-tokenizer
// by hashing the token ids of a test text (get_vocab_base_pre), which needs the tokenizer itself; the regex is what
// that hash stands for, and what llama.cpp re-implements per name (llama-vocab.cpp, LLAMA_VOCAB_PRE_TYPE_*).
import { HfModelError } from "../errors.js";
import { isJsonObject, type JsonObject } from "./hf-files.js";

/** The Split regexes of published tokenizer.json files -> llama.cpp's name for that pre-tokenizer. */
const SPLIT_REGEX_PRE: ReadonlyArray<{ pre: string; regex: string; examples: string }> = [
  {
    pre: "llama-bpe",
    // Numbers in groups of up to three digits.
    regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    examples: "Llama 3, 3.1, 3.2",
  },
  {
    pre: "qwen2",
    // The same with single digits.
    regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    examples: "Qwen2, Qwen2.5, Qwen3",
  },
];

/** GPT-2's own pre-tokenizer: ByteLevel with its built-in regex and no Split before it. */
const GPT2 = "gpt-2";

function steps(pre: unknown): JsonObject[] {
  if (!isJsonObject(pre)) return [];
  if (pre["type"] === "Sequence" && Array.isArray(pre["pretokenizers"])) return pre["pretokenizers"].filter(isJsonObject);
  return [pre];
}

/** The regex of a Split step ({"pattern": {"Regex": ...}}), if the step is one. */
function splitRegex(step: JsonObject): string | undefined {
  const pattern = step["pattern"];
  return step["type"] === "Split" && isJsonObject(pattern) && typeof pattern["Regex"] === "string" ? pattern["Regex"] : undefined;
}

/** llama.cpp's pre-tokenizer name for a byte-level BPE tokenizer.json's `pre_tokenizer`. */
export function bpePreTokenizer(folder: string, preTokenizer: unknown): string {
  const list = steps(preTokenizer);
  const regexes = list.map(splitRegex).filter((r): r is string => r !== undefined);
  const byteLevel = list.find((s) => s["type"] === "ByteLevel");
  if (regexes.length === 1 && list.length === 2 && byteLevel && byteLevel["use_regex"] === false) {
    const known = SPLIT_REGEX_PRE.find((k) => k.regex === regexes[0]);
    if (known) return known.pre;
  }
  if (regexes.length === 0 && list.length === 1 && byteLevel && byteLevel["use_regex"] !== false) return GPT2;
  const supported = [...SPLIT_REGEX_PRE.map((k) => `${k.pre} (${k.examples})`), `${GPT2} (GPT-2's ByteLevel regex)`].join(", ");
  throw new HfModelError(folder, {
    en: `tokenizer.json's pre_tokenizer ${JSON.stringify(preTokenizer).slice(0, 300)} is not one localtune can name for llama.cpp; known: ${supported}. A wrong name would split words differently from the original tokenizer, so the import stops`,
    ko: `tokenizer.json의 pre_tokenizer ${JSON.stringify(preTokenizer).slice(0, 300)}는 localtune이 llama.cpp 이름으로 알 수 없는 것입니다. 아는 것: ${supported}. 이름이 틀리면 원래 토크나이저와 단어를 다르게 나누므로 가져오기를 멈춥니다`,
  });
}
