// What a ggml CPU backend was built to use ("AVX2", "AVX512_BF16", "DOTPROD", ...): node-llama-cpp ships one CPU
// library per instruction-set level and loads the best one this CPU runs (or the one LOCALTUNE_CPU_VARIANT names),
// so the kernels a graph will meet are the loaded library's, not the CPU's. Read from the registry's
// ggml_backend_get_features proc address: an array of { name, value } C strings ended by a NULL name.
import koffi from "koffi";
import type { GgmlApi, GgmlDevice } from "./ggml-bindings.js";

const featureStruct = koffi.struct("ggml_backend_feature", { name: "const char *", value: "const char *" });
const getFeaturesProto = koffi.proto("void *ggml_backend_get_features_t(void *reg)");

/** Names of the features the backend library of `device` reports with a value other than "0". */
export function backendFeatures(api: GgmlApi, device: GgmlDevice): string[] {
  const get = api.ggml_backend_reg_get_proc_address(api.ggml_backend_dev_backend_reg(device), "ggml_backend_get_features");
  if (!get) return [];
  const list = koffi.call(get, getFeaturesProto, api.ggml_backend_dev_backend_reg(device)) as unknown;
  if (!list) return [];
  const size = koffi.sizeof(featureStruct);
  const names: string[] = [];
  for (let i = 0; i < 256; i++) {
    const entry = koffi.decode(list, i * size, featureStruct) as { name: string | null; value: string | null };
    if (!entry.name) break;
    if (entry.value !== "0") names.push(entry.name);
  }
  return names;
}
