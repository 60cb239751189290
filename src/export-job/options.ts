// Options of `localtune export-job`: which trainer to hand the job to, where to write it, how many GPUs it runs on
// there, and the Hugging Face names our GGUF files cannot tell (the base model's id, LLaMA-Factory's chat template).
import { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import { TrainConfigSchema } from "../train/config.js";

export const EXPORT_TARGETS = ["axolotl", "llama-factory"] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export const ExportJobOptionsSchema = z
  .object({
    target: z.enum(EXPORT_TARGETS).describe("trainer that runs the job: axolotl or llama-factory"),
    out: z.string().min(1).describe("job folder to create (refused when it exists and is not empty)"),
    run: z.string().min(1).optional().describe("run folder whose config.json is the job (the usual way); without it, the training settings are given instead"),
    train: TrainConfigSchema.partial({ out: true }).optional().describe("a training config as `localtune train <method>` takes it, when there is no run folder"),
    gpus: z.number().int().positive().default(1).describe("GPUs the job runs on; above 1 the config gets a DeepSpeed (or FSDP) section"),
    distributed: z.enum(["deepspeed", "fsdp"]).default("deepspeed").describe("how several GPUs share the model: DeepSpeed ZeRO (both targets) or PyTorch FSDP (axolotl only)"),
    hfModel: z.string().min(1).optional().describe("Hugging Face id (or path) of the base model; default: the GGUF's general.source.repo_url"),
    template: z.string().min(1).optional().describe("LLaMA-Factory chat template name for chat data; default: recognised from the GGUF's chat template (llama3, qwen, qwen3)"),
  })
  .refine((o) => (o.run === undefined) !== (o.train === undefined), { message: "give exactly one of run (a run folder) or train (a training config)" });

export type ExportJobOptions = z.infer<typeof ExportJobOptionsSchema>;
export type ExportJobOptionsInput = z.input<typeof ExportJobOptionsSchema>;

/** Validates export-job options, listing every problem in one message. */
export function resolveExportJobOptions(input: unknown): ExportJobOptions {
  const parsed = ExportJobOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid export-job options: ${problems}`, ko: `export-job 설정이 올바르지 않습니다: ${problems}` });
}
