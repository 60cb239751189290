// Loads any method's saved adapter onto a loaded base: the file's adapter.type names the registered method, whose own
// reader checks the file against the base and returns the decoder hooks. The one loader the public API exports.
import { AdapterFormatError } from "../errors.js";
import type { EngineModel } from "../engine/model.js";
import { readGguf } from "../formats/gguf/index.js";
import { METHODS, methodOfAdapterType } from "./registry.js";
import type { LoadedAdapter } from "./types.js";

export async function loadMethodAdapter(model: EngineModel, file: string): Promise<LoadedAdapter> {
  const gguf = readGguf(file); // GgufFormatError / FileNotFoundError name what is wrong with the file itself
  const type = gguf.getString("general.type", "") === "adapter" ? gguf.getString("adapter.type", "") : "";
  const method = methodOfAdapterType(type);
  if (!method?.adapter) {
    const known = METHODS.flatMap((m) => (m.adapter ? [m.adapter.type] : [])).join(", ");
    throw new AdapterFormatError(file, {
      en: `expected a GGUF adapter (general.type "adapter") with adapter.type one of ${known}, found "${type || "none"}"; give an adapter file a localtune method wrote`,
      ko: `adapter.type이 ${known} 중 하나인 GGUF 어댑터(general.type "adapter")가 필요한데 "${type || "없음"}"입니다. localtune 방법이 저장한 어댑터 파일을 주세요`,
    });
  }
  return method.adapter.load(model, file);
}
