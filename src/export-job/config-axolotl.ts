// The Axolotl config of a job: the plan's method and hyper-parameters under Axolotl's key names (its pydantic
// schema, src/axolotl/utils/schemas/*.py; the keys used are listed with their source in
// test/fixtures/export-job/axolotl-keys.json), the datasets written for it, and the multi-GPU section.
import { axolotlDatasetEntry, type WrittenDataset } from "./dataset-axolotl.js";
import { axolotlFsdpConfig, DEEPSPEED_FILE } from "./distributed.js";
import type { JobNote, JobPlan } from "./plan.js";

export interface TargetConfig {
  /** Config file name in the job folder. */
  file: string;
  config: Record<string, unknown>;
  /** Settings of the run this target has no key for. */
  notes: JobNote[];
}

export interface DistributedChoice {
  gpus: number;
  distributed: "deepspeed" | "fsdp";
}

/** Axolotl's lr_scheduler and its floor for the plan's schedule (warmup is separate: warmup_steps). */
function scheduler(plan: JobPlan): Record<string, unknown> {
  if (plan.schedule === "constant") return { lr_scheduler: plan.warmup > 0 ? "constant_with_warmup" : "constant" };
  if (plan.schedule === "linear") return { lr_scheduler: "linear" };
  return { lr_scheduler: "cosine", ...(plan.minLrRatio > 0 ? { cosine_min_lr_ratio: plan.minLrRatio } : {}) };
}

export function axolotlConfig(plan: JobPlan, datasets: readonly WrittenDataset[], run: DistributedChoice): TargetConfig {
  const notes: JobNote[] = [];
  const train = datasets.filter((d) => d.split === "train");
  const val = datasets.filter((d) => d.split === "val");
  const evaluates = val.length > 0 && plan.evalSteps !== null;
  const fsdp = run.gpus > 1 && run.distributed === "fsdp";
  const config: Record<string, unknown> = {
    base_model: plan.hfModel,
    ...(plan.lora
      ? {
          adapter: "lora",
          lora_r: plan.lora.rank,
          lora_alpha: plan.lora.alpha,
          lora_dropout: 0,
          lora_target_modules: plan.lora.targetModules,
          ...(plan.lora.rslora ? { peft_use_rslora: true } : {}),
        }
      : {}),
    datasets: train.map(axolotlDatasetEntry),
    ...(val.length > 0 ? { test_datasets: val.map(axolotlDatasetEntry) } : {}),
    val_set_size: 0,
    dataset_prepared_path: "prepared",
    output_dir: "output",
    sequence_len: plan.ctx,
    // localtune trains on one packed token stream; packing fills every sequence the same way. SDPA keeps packed
    // samples from attending to each other with PyTorch alone (no flash-attn build needed).
    sample_packing: true,
    pad_to_sequence_len: true,
    sdp_attention: true,
    micro_batch_size: plan.microBatch,
    gradient_accumulation_steps: plan.gradAccum,
    ...(plan.steps !== undefined ? { max_steps: plan.steps } : { num_epochs: plan.epochs }),
    learning_rate: plan.lr,
    ...scheduler(plan),
    warmup_steps: plan.warmup,
    optimizer: "adamw_torch",
    adam_beta1: plan.beta1,
    adam_beta2: plan.beta2,
    adam_epsilon: plan.adamEps,
    weight_decay: plan.weightDecay,
    max_grad_norm: plan.maxGradNorm,
    seed: plan.seed,
    bf16: "auto",
    // Under FSDP the section below checkpoints activations itself.
    gradient_checkpointing: plan.gradientCheckpointing && !fsdp,
    logging_steps: 1,
    ...(evaluates ? { eval_steps: plan.evalSteps } : {}),
    ...(plan.saveSteps !== null ? { save_steps: plan.saveSteps } : { save_strategy: "no" }),
    save_total_limit: plan.keepCheckpoints,
  };
  if (plan.earlyStop > 0 && evaluates) {
    // Axolotl requires save_steps to be a multiple of eval_steps for early stopping (its check_early_stopping).
    if (plan.saveSteps !== null && plan.evalSteps !== null && plan.saveSteps % plan.evalSteps === 0) config.early_stopping_patience = plan.earlyStop;
    else {
      notes.push({
        option: "--early-stop",
        value: String(plan.earlyStop),
        en: `Axolotl stops early only when save_steps (${plan.saveSteps ?? "none"}) is a multiple of eval_steps (${plan.evalSteps}); set --save-every to a multiple of --eval-every to carry it over.`,
        ko: `Axolotl은 save_steps(${plan.saveSteps ?? "없음"})가 eval_steps(${plan.evalSteps})의 배수일 때만 조기 종료합니다. --save-every를 --eval-every의 배수로 하면 옮겨집니다.`,
      });
    }
  }
  if (run.gpus > 1) {
    if (fsdp) config.fsdp_config = axolotlFsdpConfig(plan.architecture, plan.gradientCheckpointing);
    else config.deepspeed = DEEPSPEED_FILE;
  }
  return { file: "axolotl.yaml", config, notes };
}
