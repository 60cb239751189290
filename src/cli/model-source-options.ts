// --offline and the download bar for every command that names a model: applied once per process (like --device),
// so the library's resolveModelPath calls at each command's boundary pick them up without an extra option.
import { msg } from "../i18n/index.js";
import { setModelSourceDefaults, type ModelDownloadProgress } from "../native/model-source.js";
import { ProgressBar } from "./progress.js";

/** Help text of every --model option: the forms resolveModelPath accepts. */
export const MODEL_SPEC_HELP =
  "base model: a GGUF path, hf:<user>/<repo>[:quant], hf:<user>/<repo>/<file>.gguf or an https URL (downloaded once into the cache) / 기본 모델: GGUF 경로, hf: 이름 또는 URL (캐시에 한 번 내려받음)";

export const OFFLINE_HELP = "use only models already in the cache (LOCALTUNE_CACHE_DIR); never download / 캐시에 있는 모델만 사용하고 내려받지 않음";

const MIB = 2 ** 20;

/** A bar on stderr per downloaded model, in MiB (stdout stays for the command's own output). */
function downloadBars(): (progress: ModelDownloadProgress) => void {
  const bars = new Map<string, ProgressBar>();
  return ({ spec, downloadedBytes, totalBytes }) => {
    let bar = bars.get(spec);
    if (bar === undefined) {
      console.error(msg({ en: "downloading {spec}", ko: "{spec} 내려받는 중" }, { spec }));
      bar = new ProgressBar({ label: "download", unit: "MiB" });
      bars.set(spec, bar);
    }
    bar.update(Number((downloadedBytes / MIB).toFixed(1)), Number((totalBytes / MIB).toFixed(1)));
    if (totalBytes > 0 && downloadedBytes >= totalBytes) bar.done();
  };
}

/** Sets the process's model-source defaults from the parsed global options. */
export function applyModelSourceOptions(options: Record<string, unknown>): void {
  setModelSourceDefaults({ ...(options.offline === true ? { offline: true } : {}), onProgress: downloadBars() });
}
