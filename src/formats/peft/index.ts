// Hugging Face PEFT adapter folders: adapter_config.json (this folder) beside adapter_model.safetensors (../safetensors).
export { PeftConfigSchema, readPeftConfig, matchPattern, PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE, type PeftConfig } from "./config.js";
