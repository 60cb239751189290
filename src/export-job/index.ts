// The export-job layer's public functions: hand a training run to Axolotl or LLaMA-Factory on a GPU cluster.
export { exportJob, JOB_MANIFEST, type ExportJobResult } from "./export-job.js";
export { ExportJobOptionsSchema, resolveExportJobOptions, EXPORT_TARGETS, type ExportJobOptions, type ExportJobOptionsInput, type ExportTarget } from "./options.js";
export { planJob, type JobNote, type JobPlan } from "./plan.js";
export { readJobData, type JobData, type Conversation, type TextDocument } from "./job-data.js";
export { chunkText, type TokenCounter } from "./text-chunks.js";
export { sharegptProblem } from "./dataset-llama-factory.js";
