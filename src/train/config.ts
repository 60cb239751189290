// The training configuration: one zod schema, every field described, resolved once and saved in the run folder.
import { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import { DEVICE_CHOICES } from "../native/device-choice.js";

export const TrainConfigSchema = z.object({
  method: z.string().describe("adaptation method: full (DAPT: every weight trains)"),
  methodOptions: z.record(z.string(), z.unknown()).default({}).describe("options of the method (see its schema)"),
  model: z.string().describe("base model: a GGUF file"),
  data: z.array(z.string()).min(1).describe("training data: .txt/.md files, folders of them, or a dataset folder from `localtune data prepare`"),
  valData: z.array(z.string()).default([]).describe("validation data in the same forms; a dataset folder's val split is used when none is given"),
  out: z.string().describe("run folder to create"),
  steps: z.number().int().positive().optional().describe("optimizer steps; when absent, derived from epochs"),
  epochs: z.number().positive().default(1).describe("passes over the training sequences when steps is absent"),
  lr: z.number().positive().default(1e-3).describe("peak learning rate"),
  schedule: z.enum(["constant", "linear", "cosine"]).default("cosine").describe("learning-rate schedule after warmup"),
  warmup: z.number().int().nonnegative().default(0).describe("linear warmup steps"),
  minLrRatio: z.number().min(0).max(1).default(0.1).describe("final learning rate as a fraction of the peak (linear, cosine)"),
  ctx: z.number().int().min(2).default(256).describe("tokens per training sequence"),
  batch: z.number().int().positive().default(4).describe("sequences per micro-batch"),
  gradAccum: z.number().int().positive().default(1).describe("micro-batches accumulated per optimizer step"),
  kernelLayouts: z
    .boolean()
    .default(false)
    .describe("hold a quantized frozen base also in the CPU's AMX / repacked layout for faster forward matmuls, beside the plain copy the backward pass reads: faster, at the memory of a second copy of those weights"),
  checkpointActivations: z
    .boolean()
    .default(false)
    .describe("keep only each block's input and recompute the block during the backward pass: activation memory of one block instead of all, for one more forward pass per step"),
  seed: z.number().int().nonnegative().default(42).describe("seed for data order and initialisation"),
  threads: z.number().int().positive().optional().describe("CPU threads; default all cores"),
  weightDecay: z.number().min(0).max(1).default(0).describe("decoupled AdamW weight decay"),
  maxGradNorm: z.number().min(0).default(1).describe("clip the global gradient norm to this; 0 disables"),
  beta1: z.number().min(0).max(1).default(0.9).describe("AdamW beta1"),
  beta2: z.number().min(0).max(1).default(0.999).describe("AdamW beta2"),
  adamEps: z.number().positive().default(1e-8).describe("AdamW epsilon"),
  evalEvery: z.number().int().nonnegative().optional().describe("steps between validation losses; default 10% of the steps; 0 disables"),
  evalBatches: z.number().int().positive().default(8).describe("micro-batches of validation data per evaluation (at most)"),
  earlyStop: z.number().int().nonnegative().default(0).describe("stop after this many evaluations without a better validation loss; 0 disables"),
  saveEvery: z.number().int().nonnegative().optional().describe("steps between checkpoints; default the evaluation cadence; 0 only at the end and on Ctrl-C"),
  keepCheckpoints: z.number().int().positive().default(2).describe("checkpoints kept (older ones are deleted)"),
  exportType: z.enum(["f32", "f16"]).default("f32").describe("tensor type of exported trained weights"),
  // "gpu" was this field's value before --device existed: old run folders resume on auto's choice.
  device: z.preprocess((v) => (v === "gpu" ? "auto" : v), z.enum(DEVICE_CHOICES)).default("auto").describe("compute device: auto (a real GPU when one is usable and the run fits its memory, else the CPU), cpu, cuda, vulkan or metal"),
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Validates a config, listing every problem in one message. */
export function resolveTrainConfig(input: unknown): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid training configuration: ${problems}`, ko: `학습 설정이 올바르지 않습니다: ${problems}` });
}
