// localtune's public API: every CLI command and the server call these functions.
export * from "./errors.js";
export { setLang, getLang, type Lang } from "./i18n/index.js";
export * from "./formats/gguf/index.js";
export * from "./data/index.js";
export * from "./doctor/index.js";
export * from "./rag/index.js";
export * from "./prompt/index.js";
export * from "./server/index.js";
export * from "./eval/index.js";
