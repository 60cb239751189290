// What the adapter converters need to know about a base GGUF: its architecture, head counts (for llama's q/k row
// permutation) and the Hugging Face id it was converted from, when its metadata records one.
import { findArchitecture } from "../../arch/registry.js";
import { readHparams, type ModelHparams } from "../../arch/hparams.js";
import type { GgufFile } from "../../formats/gguf/index.js";

export function baseHparams(base: GgufFile): ModelHparams {
  return readHparams(base, base.tensors, findArchitecture(base.architecture));
}

/**
 * The base model's Hugging Face id for adapter_config.json's base_model_name_or_path, from the URLs that
 * convert_hf_to_gguf.py records (general.source.repo_url, general.repo_url); null when the file names none.
 */
export function hfBaseModelId(base: GgufFile): string | null {
  for (const key of ["general.source.repo_url", "general.repo_url", "general.source.url"]) {
    const url = base.getString(key, "");
    if (!url) continue;
    const m = /^https?:\/\/huggingface\.co\/([^/]+\/[^/?#]+)/.exec(url);
    return m ? m[1]! : url;
  }
  return null;
}
