// What the report writer reads: one entry per method run (cost and quality figures, loss curve) plus the machine,
// versions and seeds the runs used. The ladder runner writes this as results.json; anyone can write it by hand.
import fs from "node:fs";
import { z } from "zod";
import { FileNotFoundError, ReportInputError } from "../errors.js";

const metric = (what: string) => z.number().finite().nullable().describe(`${what}; null when the method was not measured on it`);

export const LossPointSchema = z.object({
  step: z.number().int().nonnegative().describe("optimizer step"),
  loss: z.number().finite().describe("training loss (mean cross-entropy, nats) at this step"),
  tokens: z.number().nonnegative().optional().describe("training tokens seen so far"),
  seconds: z.number().nonnegative().optional().describe("wall-clock seconds since training started"),
});

export const MethodResultSchema = z.object({
  method: z.string().min(1).describe('method id, e.g. "prompt", "few-shot", "rag", "lora-r16", "dapt"'),
  label: z.string().optional().describe('display name, e.g. "LoRA r=16"; default the method id'),
  trainableParams: z.number().int().nonnegative().describe("parameters the method trains (0 for prompt engineering and RAG)"),
  trainSeconds: z.number().nonnegative().describe("wall-clock training time in seconds (0 when nothing is trained)"),
  tokensPerSecond: metric("training throughput, tokens per second"),
  peakMemoryBytes: metric("peak memory of the run in bytes (RSS or device memory, as measured)"),
  perplexity: metric("held-out perplexity (lower is better)"),
  exactMatch: metric("QA exact match, percent"),
  f1: metric("QA F1, percent"),
  clozeAccuracy: metric("cloze accuracy, percent"),
  judgeScore: metric("LLM judge score (rubric mean 1-5)"),
  lossCurve: z.array(LossPointSchema).default([]).describe("training loss over steps (empty when nothing is trained)"),
  notes: z.string().optional().describe("anything a reader should know about this run"),
});

export const ReportEnvironmentSchema = z.object({
  machine: z
    .object({
      cpu: z.string().describe("CPU model"),
      threads: z.number().int().positive().optional().describe("CPU threads used"),
      ramBytes: z.number().nonnegative().optional().describe("installed memory in bytes"),
      gpu: z.string().optional().describe("GPU, when one was used"),
      os: z.string().describe("operating system and version"),
    })
    .describe("the machine the runs used"),
  versions: z.record(z.string(), z.string()).describe('software versions, e.g. {"localtune": "0.1.0", "node-llama-cpp": "3.21.1"}'),
  seeds: z.record(z.string(), z.number().int()).describe('random seeds, e.g. {"train": 42, "data-split": 7}'),
  model: z.string().optional().describe("base model"),
  data: z.string().optional().describe("training data"),
  evalSuite: z.string().optional().describe("evaluation suite"),
  budget: z.string().optional().describe('per-method budget, e.g. "10 minutes" or "200000 tokens"'),
  createdAt: z.string().optional().describe("ISO time the results were produced"),
});

export const ReportInputSchema = z.object({
  title: z.string().optional().describe("report title"),
  environment: ReportEnvironmentSchema,
  runs: z.array(MethodResultSchema).min(1).describe("one entry per method, in ladder order"),
});

export type LossPoint = z.infer<typeof LossPointSchema>;
export type MethodResult = z.infer<typeof MethodResultSchema>;
export type ReportInput = z.infer<typeof ReportInputSchema>;

/** Validates report input; the first problem becomes a ReportInputError naming the field. */
export function parseReportInput(value: unknown, source = "results"): ReportInput {
  const parsed = ReportInputSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ReportInputError(source, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const run of parsed.data.runs) {
    if (seen.has(run.method)) throw new ReportInputError(source, `method "${run.method}" appears twice`);
    seen.add(run.method);
  }
  return parsed.data;
}

export function loadReportInput(file: string): ReportInput {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "results file");
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new ReportInputError(file, `not JSON (${(error as Error).message})`);
  }
  return parseReportInput(json, file);
}
