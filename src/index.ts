// localtune's public API: every CLI command and the server call these functions.
export * from "./errors.js";
export { setLang, getLang, type Lang } from "./i18n/index.js";
export * from "./formats/gguf/index.js";
export * from "./rag/index.js";
export * from "./doctor/index.js";
export * from "./data/index.js";
export * from "./prompt/index.js";
export * from "./server/index.js";
export * from "./eval/index.js";
export { EngineModel, type LoadOptions } from "./engine/model.js";
export { forwardLogits, type ForwardRequest } from "./engine/forward.js";
export { measurePerplexity, type MeasurePerplexityOptions, type MeasuredPerplexity } from "./engine/measure-perplexity.js";
export { ARCHITECTURES, findArchitecture } from "./arch/registry.js";
export { writeRandomModel, type RandomModelOptions } from "./arch/random-model.js";
export { METHODS, findMethod } from "./methods/registry.js";
export * from "./train/index.js";
export * from "./report/index.js";
