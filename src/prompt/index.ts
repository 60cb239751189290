// The prompt layer: text generation (node-llama-cpp path), chat, prompt templates and batch prompt runs.
export * from "./generator.js";
export * from "./sampling.js";
export * from "./llama-generator.js";
export * from "./engine-generator.js";
export * from "./token-sampler.js";
export * from "./stop-stream.js";
export * from "./sequence-pool.js";
export * from "./chat-format.js";
export * from "./chat.js";
export * from "./generate.js";
export * from "./template.js";
export * from "./builtin-templates.js";
export * from "./few-shot.js";
export * from "./prompt-set.js";
export * from "./batch-run.js";
export * from "./results-table.js";
export * from "./prompt-run.js";
