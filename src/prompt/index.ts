// The prompt layer: text generation (node-llama-cpp path), chat, prompt templates and batch prompt runs.
export * from "./generator.js";
export * from "./sampling.js";
export * from "./llama-generator.js";
export * from "./chat-format.js";
