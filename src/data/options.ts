// Settings of `data prepare`, validated with zod; the resolved settings are saved in manifest.json.
import { z } from "zod";
import { InvalidConfigError } from "../errors.js";

export const PrepareOptionsSchema = z.object({
  inputs: z.array(z.string()).min(1).describe("files and folders to read; folders are walked recursively"),
  out: z.string().min(1).describe("dataset folder to write (created; replaced only with force)"),
  model: z.string().optional().describe("GGUF model whose tokenizer counts tokens and whose chat template renders conversations; without it tokens are estimated and no tokenized cache is written"),
  include: z.array(z.string()).default([]).describe("globs (relative to each input folder) a file must match to be read"),
  exclude: z.array(z.string()).default([]).describe("globs (relative to each input folder) of files to leave out"),
  maxTokens: z.number().int().min(16).default(512).describe("largest chunk, in tokens"),
  overlapTokens: z.number().int().min(0).default(64).describe("tokens repeated between consecutive chunks of one cut section"),
  nearDupThreshold: z.number().gt(0).max(1).default(0.8).describe("Jaccard similarity of character 5-shingle sets at or above which two texts are near-duplicates"),
  seed: z.number().int().default(42).describe("seed of the document-level train/val/test assignment"),
  valRatio: z.number().min(0).max(0.5).default(0.05).describe("share of documents held out for validation"),
  testRatio: z.number().min(0).max(0.5).default(0.05).describe("share of documents held out for testing"),
  strict: z.boolean().default(false).describe("stop at the first bad file or record line instead of skipping it"),
  csvPromptColumn: z.string().optional().describe("CSV column holding the user turn (else recognised: Q, question, prompt, instruction...)"),
  csvResponseColumn: z.string().optional().describe("CSV column holding the assistant turn (else recognised: A, answer, response, output...)"),
  csvSystemColumn: z.string().optional().describe("CSV column holding a system prompt"),
  systemPrompt: z.string().optional().describe("system prompt added to conversations that have none"),
  chatTemplate: z.string().default("auto").describe('node-llama-cpp chat wrapper: "auto" (the model\'s own template) or a wrapper name such as chatML, llama3.1, qwen'),
  force: z.boolean().default(false).describe("replace an existing dataset folder"),
});
export type PrepareOptions = z.input<typeof PrepareOptionsSchema>;
export type ResolvedPrepareOptions = z.output<typeof PrepareOptionsSchema>;

export function resolvePrepareOptions(options: PrepareOptions): ResolvedPrepareOptions {
  const parsed = PrepareOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new InvalidConfigError({ en: `invalid data prepare options: ${detail}`, ko: `data prepare 옵션이 올바르지 않습니다: ${detail}` });
  }
  if (parsed.data.overlapTokens >= parsed.data.maxTokens) {
    throw new InvalidConfigError({
      en: `--overlap (${parsed.data.overlapTokens}) must be smaller than --max-tokens (${parsed.data.maxTokens}).`,
      ko: `--overlap(${parsed.data.overlapTokens})은 --max-tokens(${parsed.data.maxTokens})보다 작아야 합니다.`,
    });
  }
  return parsed.data;
}
