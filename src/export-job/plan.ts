// What a localtune training run means in the terms both cluster trainers share (Hugging Face Trainer and PEFT): the
// method (LoRA with its rank, alpha, rsLoRA and target modules by their transformers names, or full weights for
// DAPT), the optimizer and schedule, the sequence and batch shape, and the settings neither trainer has, listed so
// nothing is dropped without a word. The per-target config writers start from this plan.
import { findArchitecture } from "../arch/registry.js";
import { hfBaseModelId } from "../methods/lora/base-model.js";
import { hfShortName, loraModules } from "../methods/lora/module-names.js";
import { ExportJobError, InvalidConfigError } from "../errors.js";
import { readGguf } from "../formats/gguf/index.js";
import { LoraOptionsSchema, loraAlpha, loraRank } from "../methods/lora/options.js";
import type { TrainConfig } from "../train/config.js";

/** A setting of the run with no equivalent in the target trainer: listed in the README and the command's output. */
export interface JobNote {
  /** The localtune option, as `train` spells it ("--kernel-layouts"). */
  option: string;
  /** Its value in the run. */
  value: string;
  en: string;
  ko: string;
}

export interface JobPlan {
  /** "lora", or "full" (DAPT: every weight trains). */
  method: "lora" | "full";
  lora?: {
    rank: number;
    /** An integer: both trainers type lora_alpha as int. */
    alpha: number;
    rslora: boolean;
    /** transformers module names (q_proj, ..., down_proj), adapted in every layer as localtune does. */
    targetModules: string[];
  };
  /** Hugging Face id (or path) of the base model the trainer downloads. */
  hfModel: string;
  /** GGUF architecture (`general.architecture`: llama, qwen2, gemma3, ...). */
  architecture: string;
  /** The GGUF's chat template, for recognising LLaMA-Factory's template name. */
  chatTemplate: string;
  lr: number;
  schedule: "constant" | "linear" | "cosine";
  minLrRatio: number;
  warmup: number;
  /** Optimizer steps; absent when the run trains for epochs. */
  steps?: number;
  epochs: number;
  ctx: number;
  microBatch: number;
  gradAccum: number;
  seed: number;
  weightDecay: number;
  maxGradNorm: number;
  beta1: number;
  beta2: number;
  adamEps: number;
  gradientCheckpointing: boolean;
  /** Steps between evaluations: an integer, or a fraction of the total steps (Trainer reads a value below 1 so); null: never. */
  evalSteps: number | null;
  /** Steps between checkpoints, the same forms; null: only the final save. */
  saveSteps: number | null;
  keepCheckpoints: number;
  earlyStop: number;
  /** Settings neither trainer has (each target adds its own). */
  notes: JobNote[];
}

/** The plan of a resolved training config; `hfModel` overrides the id found in the GGUF. */
export function planJob(config: TrainConfig, hfModel: string | undefined): JobPlan {
  const base = readGguf(config.model);
  const arch = findArchitecture(base.architecture);
  const id = hfModel ?? hfBaseModelId(base);
  if (id === null) {
    throw new ExportJobError({
      en: `${config.model} does not record the Hugging Face model it was converted from (no general.source.repo_url). The cluster trainer loads the original model: pass --hf-model <org/name> (or a local path there).`,
      ko: `${config.model}에 변환 전 Hugging Face 모델 정보(general.source.repo_url)가 없습니다. 클러스터 학습기는 원본 모델을 읽습니다: --hf-model <조직/이름>(또는 그쪽의 로컬 경로)을 지정하세요.`,
    });
  }
  const notes: JobNote[] = [];
  let lora: JobPlan["lora"];
  if (config.method === "lora") {
    const parsed = LoraOptionsSchema.safeParse(config.methodOptions);
    if (!parsed.success) throw new InvalidConfigError({ en: `invalid lora options in the run: ${parsed.error.message}`, ko: `실행의 lora 옵션이 올바르지 않습니다: ${parsed.error.message}` });
    const options = parsed.data;
    const alpha = loraAlpha(options);
    if (!Number.isInteger(alpha)) {
      throw new ExportJobError({
        en: `LoRA alpha ${alpha} is not an integer, and Axolotl and LLaMA-Factory take lora_alpha as an integer. Train with an integer --alpha (the update is scaled by alpha / rank).`,
        ko: `LoRA alpha ${alpha}가 정수가 아닌데, Axolotl과 LLaMA-Factory는 lora_alpha를 정수로만 받습니다. 정수 --alpha로 학습하세요 (갱신은 alpha / rank로 조정됨).`,
      });
    }
    const targets = options.targets ?? [...arch.defaultLoraTargets];
    const unknown = targets.filter((t) => !Object.hasOwn(loraModules(arch), t));
    if (unknown.length > 0) throw new InvalidConfigError({ en: `unknown LoRA target(s) ${unknown.join(", ")} in the run`, ko: `실행에 알 수 없는 LoRA 대상이 있습니다: ${unknown.join(", ")}` });
    lora = { rank: loraRank(options), alpha, rslora: options.rslora, targetModules: targets.map((t) => hfShortName(arch, t)) };
  } else if (config.method !== "full") {
    throw new ExportJobError({
      en: `method "${config.method}" has no equivalent in Axolotl or LLaMA-Factory; export-job hands over lora and full (DAPT) runs. Keep ${config.method} on this PC, or train lora / full for the cluster.`,
      ko: `"${config.method}" 방법은 Axolotl과 LLaMA-Factory에 대응하는 것이 없습니다. export-job은 lora와 full(DAPT) 실행만 넘깁니다. ${config.method}은(는) 이 PC에서 학습하거나, 클러스터용으로는 lora / full을 쓰세요.`,
    });
  }

  const rawEval = config.evalEvery ?? (config.steps !== undefined ? Math.max(1, Math.round(config.steps / 10)) : 0.1);
  const evalSteps = rawEval === 0 ? null : rawEval;
  const rawSave = config.saveEvery ?? rawEval;
  const saveSteps = rawSave === 0 ? null : rawSave;

  if (config.kernelLayouts) {
    notes.push({ option: "--kernel-layouts", value: "on", en: "a CPU memory layout (AMX / repacked weights); GPU trainers have no such setting.", ko: "CPU 메모리 배치(AMX/재배열 가중치) 설정이라 GPU 학습기에는 없습니다." });
  }
  if (config.threads !== undefined) {
    notes.push({ option: "--threads", value: String(config.threads), en: "CPU threads of this PC; the cluster runs one process per GPU.", ko: "이 PC의 CPU 스레드 수입니다. 클러스터는 GPU마다 프로세스 하나를 띄웁니다." });
  }
  if (config.exportType !== "f32") {
    notes.push({ option: "--export-type", value: config.exportType, en: "the trainers save in the precision they trained in (bf16 weights, F32 LoRA factors).", ko: "학습기는 학습한 정밀도로 저장합니다 (bf16 가중치, F32 LoRA 인자)." });
  }
  if (config.schedule === "linear" && config.minLrRatio > 0) {
    notes.push({
      option: "minLrRatio",
      value: String(config.minLrRatio),
      en: `the Trainer's linear schedule decays to 0, not to ${config.minLrRatio} x the peak; use the cosine schedule to keep a floor.`,
      ko: `Trainer의 linear 스케줄은 최고값의 ${config.minLrRatio}배가 아니라 0까지 내려갑니다. 하한을 두려면 cosine 스케줄을 쓰세요.`,
    });
  }
  if (config.weightDecay > 0) {
    notes.push({ option: "--weight-decay", value: String(config.weightDecay), en: "the Trainer applies weight decay to every weight except biases and norm weights; localtune applies it to every trained tensor.", ko: "Trainer는 편향과 정규화 가중치를 빼고 weight decay를 적용하고, localtune은 학습하는 모든 텐서에 적용합니다." });
  }
  return {
    method: config.method === "lora" ? "lora" : "full",
    ...(lora ? { lora } : {}),
    hfModel: id,
    architecture: base.architecture,
    chatTemplate: base.getString("tokenizer.chat_template", ""),
    lr: config.lr,
    schedule: config.schedule,
    minLrRatio: config.minLrRatio,
    warmup: config.warmup,
    ...(config.steps !== undefined ? { steps: config.steps } : {}),
    epochs: config.epochs,
    ctx: config.ctx,
    microBatch: config.batch,
    gradAccum: config.gradAccum,
    seed: config.seed,
    weightDecay: config.weightDecay,
    maxGradNorm: config.maxGradNorm,
    beta1: config.beta1,
    beta2: config.beta2,
    adamEps: config.adamEps,
    gradientCheckpointing: config.checkpointActivations,
    evalSteps,
    saveSteps,
    keepCheckpoints: config.keepCheckpoints,
    earlyStop: config.earlyStop,
    notes,
  };
}

/** The note for evalBatches, which both trainers lack (they evaluate the whole validation set). */
export function evalBatchesNote(evalBatches: number): JobNote {
  return {
    option: "evalBatches",
    value: String(evalBatches),
    en: `localtune scores at most ${evalBatches} validation micro-batches per evaluation; the trainers score the whole validation set.`,
    ko: `localtune은 평가마다 검증 마이크로배치를 최대 ${evalBatches}개 계산하고, 학습기는 검증 세트 전체를 계산합니다.`,
  };
}
