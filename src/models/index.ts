// Public API of model import: Hugging Face folders (config.json, safetensors, tokenizer.json) to GGUF.
export { importHfModel, IMPORT_TYPES, type ImportHfModelOptions, type ImportHfModelResult, type ImportTypeName } from "./import.js";
