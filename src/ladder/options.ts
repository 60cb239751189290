// Options of `localtune ladder` (and of the demo, which fills them with the embedded defaults): one zod schema.
import { z } from "zod";
import { QA_STYLE_SETTINGS } from "../eval/qa-metrics.js";
import { InvalidConfigError } from "../errors.js";

export const LadderOptionsSchema = z.object({
  model: z.string().min(1).describe("base model: a GGUF file"),
  data: z.array(z.string().min(1)).min(1).describe("training documents: .txt/.md files, folders of them, or a dataset folder; also what RAG retrieves from"),
  suite: z.string().min(1).describe("evaluation suite JSONL (qa, cloze, mc, judge items), the same for every rung"),
  heldOut: z.string().optional().describe("held-out text for perplexity (text none of the rungs trained on)"),
  qaStyle: z
    .enum(QA_STYLE_SETTINGS)
    .optional()
    .describe("QA EM/F1 rules for every rung: squad, korquad, or auto (KorQuAD when a question or its context has Hangul); default the suite's first line, else auto"),
  out: z.string().min(1).describe("folder for report.md, report.html, results.json and each rung's run folder and eval"),
  budget: z.string().default("50k").describe('training budget per training rung: tokens ("50k", "200000") or time ("90s", "5m")'),
  methods: z.array(z.string()).optional().describe("rungs to run, by id (prompt, few-shot, rag, lora-r2, dapt...) or method name; default all"),
  ctx: z.number().int().min(8).default(128).describe("tokens per training sequence; also the perplexity window"),
  batch: z.number().int().positive().default(4).describe("sequences per optimizer step"),
  kernelLayouts: z.boolean().default(false).describe("on a quantized base, also hold its matrices in the CPU's AMX / repacked layout for faster training rungs (a second copy of those weights in memory)"),
  checkpointActivations: z.boolean().default(false).describe("train every rung with activation checkpointing: far less memory for long contexts or big batches, 20-35% more time per step (measured)"),
  seed: z.number().int().nonnegative().default(42).describe("seed for training (data order, initialisation) and for drawing few-shot examples"),
  threads: z.number().int().positive().optional().describe("CPU threads for training and scoring; default all logical cores (1 for models under 10M parameters, whose ops are too small to split)"),
  fewShot: z.number().int().positive().default(3).describe("examples before each item in the few-shot rung"),
  examples: z.string().optional().describe("few-shot examples file (JSONL of input/output or question/answer); default: other suite items whose answer differs"),
  ragPassages: z.number().int().positive().default(3).describe("retrieved passages before each item in the RAG rung"),
  ragPassageTokens: z.number().int().min(8).default(64).describe("longest passage in the RAG index, in tokens"),
  judgeModel: z.string().optional().describe("GGUF model that judges the suite's judge items; without it they are listed as skipped"),
  title: z.string().optional().describe("report title"),
  addRungs: z
    .array(z.object({ name: z.string().min(1), path: z.string().min(1) }))
    .default([])
    .describe("rungs trained elsewhere (a PEFT LoRA folder, a GGUF LoRA or a GGUF model), scored on the same suite after the local rungs"),
});

export type LadderOptions = z.infer<typeof LadderOptionsSchema>;
export type LadderOptionsInput = z.input<typeof LadderOptionsSchema>;

/** Validates ladder options, listing every problem in one message. */
export function resolveLadderOptions(input: unknown): LadderOptions {
  const parsed = LadderOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid ladder options: ${problems}`, ko: `사다리 설정이 올바르지 않습니다: ${problems}` });
}
