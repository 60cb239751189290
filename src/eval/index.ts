// The eval layer's public functions: metrics, suites, the node-llama-cpp scorer and judge, and `localtune eval`.
export * from "./qa-metrics.js";
export * from "./text-metrics.js";
export * from "./retrieval-metrics.js";
export * from "./multiple-choice.js";
export * from "./interfaces.js";
export * from "./llama-scorer.js";
export * from "./judge.js";
export * from "./suite.js";
export * from "./evaluate.js";
export * from "./table.js";
