// Exports for the runtimes people run models in (Ollama, LM Studio): quantized GGUF, Modelfile, import commands.
export { exportForRuntime, RUNTIME_TARGETS, RuntimeExportOptionsSchema, runtimeModelName, type RuntimeTarget, type RuntimeExportOptions, type RuntimeExportResult } from "./export-runtime.js";
export { quantizeModel, type QuantizeModelOptions, type QuantizeModelResult } from "./quantize-model.js";
export { EXPORT_QUANTS, planQuantization, type ExportQuant, type QuantFallback, type QuantPlan } from "./quant-plan.js";
export { ollamaTemplateFor, type OllamaTemplate } from "./ollama-template.js";
export { renderModelfile } from "./modelfile.js";
