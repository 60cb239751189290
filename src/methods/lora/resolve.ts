// Load-and-play: turns whatever a user names as an adapter into a GGUF LoRA file llama.cpp can load. A GGUF file is
// used as it is; a PEFT folder is converted once for the given base model into a cache folder (keyed by the adapter's
// files and the base model, so a changed adapter or another base converts again); a training run's folder (or its
// adapter/ folder) gives its adapter.gguf.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AdapterFormatError, FileNotFoundError } from "../../errors.js";
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE } from "../../formats/peft/index.js";
import { importPeftAdapter } from "./peft-import.js";

/** Where converted PEFT adapters are kept: LOCALTUNE_CACHE_DIR, else ~/.cache/localtune, then peft-gguf/. */
export function adapterCacheDir(): string {
  return path.join(process.env.LOCALTUNE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "localtune"), "peft-gguf");
}

/** Identity of a file for the cache key: path, size and modification time (hashing the bytes would cost a full read). */
function fileStamp(file: string): string {
  const s = fs.statSync(file);
  return `${path.resolve(file)}:${s.size}:${s.mtimeMs}`;
}

/**
 * The GGUF LoRA file for `adapter` (a GGUF file, a PEFT folder, a run folder or its adapter/ folder) on the base `model`.
 * A PEFT folder is converted on first use (named errors for a mismatched base or unsupported tensors).
 */
export async function resolveAdapterFile(adapter: string, model: string): Promise<string> {
  if (!fs.existsSync(adapter)) throw new FileNotFoundError(adapter, "adapter");
  if (!fs.statSync(adapter).isDirectory()) return adapter;
  const config = path.join(adapter, PEFT_CONFIG_FILE);
  if (fs.existsSync(config)) {
    const weights = path.join(adapter, PEFT_WEIGHTS_FILE);
    const key = createHash("sha256")
      .update(fs.readFileSync(config))
      .update(fs.existsSync(weights) ? fileStamp(weights) : "")
      .update(fs.existsSync(model) ? fileStamp(model) : model)
      .digest("hex")
      .slice(0, 24);
    const out = path.join(adapterCacheDir(), `${path.basename(path.resolve(adapter))}-${key}.gguf`);
    if (!fs.existsSync(out)) await importPeftAdapter({ adapter, model, out });
    return out;
  }
  for (const inner of [path.join(adapter, "adapter.gguf"), path.join(adapter, "adapter", "adapter.gguf")]) {
    if (fs.existsSync(inner)) return inner;
  }
  throw new AdapterFormatError(adapter, {
    en: `the folder holds neither ${PEFT_CONFIG_FILE} (a PEFT adapter) nor adapter.gguf`,
    ko: `폴더에 ${PEFT_CONFIG_FILE}(PEFT 어댑터)도 adapter.gguf도 없습니다`,
  });
}
