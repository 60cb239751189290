// Public API of the adapters layer: the commands over adapter files (describing any adapter; LoRA's GGUF <-> PEFT
// conversion, merging into a base GGUF and resolving what a user names, which live with LoRA in methods/lora/).
export { exportPeftAdapter, type ExportPeftOptions, type ExportPeftResult } from "../methods/lora/peft-export.js";
export { importPeftAdapter, type ImportPeftOptions, type ImportPeftResult } from "../methods/lora/peft-import.js";
export { mergeAdapters, addLowRank, MERGE_TYPES, type MergeTypeName, type MergeOptions, type MergeResult, type MergeAdapterSpec } from "../methods/lora/merge.js";
export { describeAdapter, formatAdapterInfo, type AdapterInfo } from "./info.js";
export { resolveAdapterFile, adapterCacheDir } from "../methods/lora/resolve.js";
export { readGgufLora, readLoraPair, checkLoraAgainstBase, writeGgufLoraFile, loraPairScale, type GgufLora, type LoraPair, type LoraPairValues } from "../methods/lora/gguf-lora.js";
export { permuteRowsGgufToHf, permuteRowsHfToGguf, permutesQk } from "../methods/lora/permute.js";
export { loraModules, parsePeftKey, parsePeftKeyAnyArchitecture, peftKey, hfModuleName } from "../methods/lora/module-names.js";
export { loadEngineLora, type EngineLora } from "../methods/lora/engine-lora.js";
