// Public API of the adapters layer: GGUF LoRA <-> PEFT conversion, merging into a base GGUF, describing adapters,
// and resolving any adapter a user names into a file llama.cpp loads.
export { exportPeftAdapter, type ExportPeftOptions, type ExportPeftResult } from "./peft-export.js";
export { importPeftAdapter, type ImportPeftOptions, type ImportPeftResult } from "./peft-import.js";
export { mergeAdapters, addLowRank, MERGE_TYPES, type MergeTypeName, type MergeOptions, type MergeResult, type MergeAdapterSpec } from "./merge.js";
export { describeAdapter, formatAdapterInfo, type AdapterInfo } from "./info.js";
export { resolveAdapterFile, adapterCacheDir } from "./resolve.js";
export { readGgufLora, readLoraPair, checkLoraAgainstBase, writeGgufLoraFile, loraPairScale, type GgufLora, type LoraPair, type LoraPairValues } from "./gguf-lora.js";
export { permuteRowsGgufToHf, permuteRowsHfToGguf, permutesQk } from "./permute.js";
export { HF_MODULES, parsePeftKey, peftKey, hfModuleName } from "./module-names.js";
export { loadEngineLora, type EngineLora } from "./engine-lora.js";
