// Special token ids, the add-BOS/EOS flags and the chat template, read as gguf-py's SpecialVocab reads them:
// tokenizer_config.json's <type>_token text found among tokenizer.json's added tokens, else config.json's
// <type>_token_id; add_<type>_token from tokenizer_config.json, else what the post-processor's template adds.
import { gguf, type GgufValue } from "../formats/gguf/index.js";
import { isJsonObject, type JsonObject } from "./hf-files.js";

/** The special token kinds llama.cpp stores (tokenizer.ggml.<kind>_token_id). */
const KINDS = ["bos", "eos", "unk", "sep", "pad", "cls", "mask"] as const;
type Kind = (typeof KINDS)[number];

/** GGUF key of a kind's id (llama.cpp names the pad token "padding"). */
const ID_KEY: Record<Kind, string> = {
  bos: "tokenizer.ggml.bos_token_id",
  eos: "tokenizer.ggml.eos_token_id",
  unk: "tokenizer.ggml.unknown_token_id",
  sep: "tokenizer.ggml.seperator_token_id", // sic: llama.cpp's key is spelled so
  pad: "tokenizer.ggml.padding_token_id",
  cls: "tokenizer.ggml.cls_token_id",
  mask: "tokenizer.ggml.mask_token_id",
};

/** The text of a tokenizer_config.json token entry: a string, or {"content": ...} (AddedToken as JSON). */
function tokenText(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (isJsonObject(entry) && typeof entry["content"] === "string") return entry["content"];
  return undefined;
}

/** The first special token of a TemplateProcessing sequence's ends: the post-processor decides what encode() adds. */
function templateEnds(postProcessor: unknown): { first?: string; last?: string } | undefined {
  const processors = isJsonObject(postProcessor) && Array.isArray(postProcessor["processors"]) ? postProcessor["processors"] : [postProcessor];
  for (const p of processors) {
    if (!isJsonObject(p) || p["type"] !== "TemplateProcessing" || !Array.isArray(p["single"]) || p["single"].length < 2) continue;
    const id = (item: unknown) => (isJsonObject(item) && isJsonObject(item["SpecialToken"]) && typeof item["SpecialToken"]["id"] === "string" ? item["SpecialToken"]["id"] : undefined);
    const single = p["single"] as unknown[];
    const first = id(single[0]);
    const last = id(single[single.length - 1]);
    return { ...(first !== undefined ? { first } : {}), ...(last !== undefined ? { last } : {}) };
  }
  return undefined;
}

/**
 * The special-token metadata of a tokenizer: ids (only those below `nVocab`), add_bos/add_eos (and the other kinds'
 * add_ flags the config sets), in the order gguf-py writes them.
 */
export function specialTokenMetadata(tokenizer: JsonObject, tokenizerConfig: JsonObject | undefined, config: JsonObject, nVocab: number): Map<string, GgufValue> {
  const tc: JsonObject = { ...(tokenizerConfig ?? {}) };
  const added = Array.isArray(tokenizer["added_tokens"]) ? tokenizer["added_tokens"].filter(isJsonObject) : [];
  const idOf = (text: string) => added.find((t) => t["content"] === text)?.["id"];
  // Like SpecialVocab: a tokenizer without a BOS or EOS uses its CLS or SEP.
  if (!tokenText(tc["bos_token"]) && tokenText(tc["cls_token"])) tc["bos_token"] = tc["cls_token"];
  if (!tokenText(tc["eos_token"]) && tokenText(tc["sep_token"])) tc["eos_token"] = tc["sep_token"];

  const add = new Map<Kind, boolean>();
  const ends = templateEnds(tokenizer["post_processor"]);
  if (ends?.first !== undefined) {
    if (!tokenText(tc["bos_token"])) tc["bos_token"] = ends.first;
    add.set("bos", ends.first === tokenText(tc["bos_token"]) || ends.first === tokenText(tc["cls_token"]));
  }
  if (ends?.last !== undefined && ends.last !== ends.first) add.set("eos", ends.last === tokenText(tc["eos_token"]));

  const ids = new Map<Kind, number>();
  const setId = (kind: Kind, id: unknown) => {
    if (ids.has(kind) || typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= nVocab) return;
    ids.set(kind, id);
  };
  for (const kind of KINDS) {
    const flag = tc[`add_${kind}_token`];
    if (typeof flag === "boolean") add.set(kind, flag);
    const text = tokenText(tc[`${kind}_token`]);
    if (text !== undefined) setId(kind, idOf(text));
  }
  // config.json's ids fill in what tokenizer_config.json does not name (Qwen's bos_token is null there).
  for (const kind of KINDS) setId(kind, config[`${kind}_token_id`]);

  // What encode() does when neither the config nor the post-processor says: transformers adds nothing, while llama.cpp
  // would fall back to its own default per tokenizer type (BOS for SentencePiece and Llama 3). Saying it keeps
  // llama.cpp's tokenization equal to the Hugging Face tokenizer's (convert_hf_to_gguf.py leaves the key out).
  if (!add.has("bos")) add.set("bos", false);
  const out = new Map<string, GgufValue>();
  for (const [kind, id] of ids) out.set(ID_KEY[kind], gguf.u32(id));
  for (const [kind, flag] of add) out.set(`tokenizer.ggml.add_${kind}_token`, gguf.bool(flag));
  return out;
}

/**
 * The chat template(s) as llama.cpp reads them: tokenizer_config.json's chat_template (a string, or a list of named
 * templates: "default" becomes tokenizer.chat_template, the others tokenizer.chat_template.<name>), else the folder's
 * chat_template.jinja or chat_template.json.
 */
export function chatTemplateMetadata(tokenizerConfig: JsonObject | undefined, jinja: string | undefined, json: JsonObject | undefined): Map<string, GgufValue> {
  const out = new Map<string, GgufValue>();
  const value = tokenizerConfig?.["chat_template"] ?? jinja ?? json?.["chat_template"];
  if (typeof value === "string") {
    out.set("tokenizer.chat_template", gguf.str(value));
  } else if (Array.isArray(value)) {
    let fallback: string | undefined;
    const names: string[] = [];
    for (const choice of value.filter(isJsonObject)) {
      // Names become key parts: anything but ASCII letters and digits turns into "_" (as gguf-py does).
      const name = String(choice["name"] ?? "").replace(/[^A-Za-z0-9]/g, "_");
      const template = choice["template"];
      if (!name || typeof template !== "string") continue;
      if (name === "default") fallback = template;
      else {
        names.push(name);
        out.set(`tokenizer.chat_template.${name}`, gguf.str(template));
      }
    }
    if (names.length > 0) out.set("tokenizer.chat_templates", gguf.strings(names));
    if (fallback !== undefined) out.set("tokenizer.chat_template", gguf.str(fallback));
  }
  return out;
}
