// The LLaMA-Factory config of a job: the plan under LLaMA-Factory's argument names (its hparams dataclasses and the
// Hugging Face TrainingArguments they extend; the keys used are listed with their source in
// test/fixtures/export-job/llama-factory-keys.json), the datasets registered in data/dataset_info.json, and DeepSpeed.
import { ExportJobError } from "../errors.js";
import type { TargetConfig, DistributedChoice } from "./config-axolotl.js";
import type { LlamaFactoryDataset } from "./dataset-llama-factory.js";
import { DEEPSPEED_FILE } from "./distributed.js";
import type { JobNote, JobPlan } from "./plan.js";

/** LLaMA-Factory's template name for a GGUF chat template it is known to match; undefined when none is recognised. */
export function recognizeTemplate(chatTemplate: string, architecture: string): string | undefined {
  if (chatTemplate.includes("<|start_header_id|>")) return "llama3";
  if (chatTemplate.includes("<|im_start|>")) return architecture === "qwen3" ? "qwen3" : "qwen";
  return undefined;
}

function scheduler(plan: JobPlan): Record<string, unknown> {
  if (plan.schedule === "constant") return { lr_scheduler_type: plan.warmup > 0 ? "constant_with_warmup" : "constant" };
  if (plan.schedule === "linear") return { lr_scheduler_type: "linear" };
  // transformers' cosine_with_min_lr decays to min_lr_rate x the peak, as localtune's cosine does to minLrRatio.
  return plan.minLrRatio > 0 ? { lr_scheduler_type: "cosine_with_min_lr", lr_scheduler_kwargs: { min_lr_rate: plan.minLrRatio } } : { lr_scheduler_type: "cosine" };
}

export function llamaFactoryConfig(plan: JobPlan, datasets: readonly LlamaFactoryDataset[], run: DistributedChoice, template: string | undefined): TargetConfig {
  const notes: JobNote[] = [];
  const train = datasets.filter((d) => d.split === "train");
  const val = datasets.filter((d) => d.split === "val");
  const kinds = new Set(train.map((d) => d.kind));
  if (kinds.size > 1) {
    throw new ExportJobError({
      en: "the run trains on text and conversations together; a LLaMA-Factory run has one stage (pt for text, sft for conversations). Export to axolotl, which mixes both, or split the data into two runs.",
      ko: "이 실행은 텍스트와 대화를 함께 학습하는데, LLaMA-Factory 실행은 단계가 하나입니다 (텍스트는 pt, 대화는 sft). 둘을 섞을 수 있는 axolotl로 내보내거나 데이터를 두 실행으로 나누세요.",
    });
  }
  const stage = kinds.has("chat") ? "sft" : "pt";
  let chatTemplate: string | undefined;
  if (stage === "sft") {
    chatTemplate = template ?? recognizeTemplate(plan.chatTemplate, plan.architecture);
    if (chatTemplate === undefined) {
      throw new ExportJobError({
        en: "LLaMA-Factory needs the name of the model's chat template for conversations, and the GGUF's template is not one export-job recognises (llama3, qwen, qwen3). Pass --template <name> (LLaMA-Factory's template list: src/llamafactory/data/template.py).",
        ko: "대화 데이터에는 LLaMA-Factory 채팅 템플릿 이름이 필요한데, GGUF의 템플릿이 export-job이 아는 것(llama3, qwen, qwen3)이 아닙니다. --template <이름>을 지정하세요 (목록: src/llamafactory/data/template.py).",
      });
    }
  }
  const evaluates = val.length > 0 && plan.evalSteps !== null;
  const config: Record<string, unknown> = {
    model_name_or_path: plan.hfModel,
    stage,
    do_train: true,
    finetuning_type: plan.method,
    ...(plan.lora
      ? {
          lora_rank: plan.lora.rank,
          lora_alpha: plan.lora.alpha,
          lora_dropout: 0,
          lora_target: plan.lora.targetModules.join(","),
          ...(plan.lora.rslora ? { use_rslora: true } : {}),
        }
      : {}),
    dataset_dir: "data",
    dataset: train.map((d) => d.name).join(","),
    ...(val.length > 0 ? { eval_dataset: val.map((d) => d.name).join(",") } : {}),
    ...(chatTemplate !== undefined ? { template: chatTemplate } : {}),
    // Stage pt joins the documents and cuts blocks of cutoff_len, like localtune's token stream; with packing on,
    // LLaMA-Factory cuts one token less than cutoff_len (its DataArguments), hence ctx + 1.
    ...(stage === "pt" ? { packing: true, cutoff_len: plan.ctx + 1 } : { cutoff_len: plan.ctx }),
    output_dir: "output",
    per_device_train_batch_size: plan.microBatch,
    gradient_accumulation_steps: plan.gradAccum,
    ...(plan.steps !== undefined ? { max_steps: plan.steps } : { num_train_epochs: plan.epochs }),
    learning_rate: plan.lr,
    ...scheduler(plan),
    warmup_steps: plan.warmup,
    optim: "adamw_torch",
    adam_beta1: plan.beta1,
    adam_beta2: plan.beta2,
    adam_epsilon: plan.adamEps,
    weight_decay: plan.weightDecay,
    max_grad_norm: plan.maxGradNorm,
    seed: plan.seed,
    bf16: true,
    // LLaMA-Factory checkpoints activations unless told not to; localtune only when asked.
    disable_gradient_checkpointing: !plan.gradientCheckpointing,
    logging_steps: 1,
    ...(plan.saveSteps !== null ? { save_strategy: "steps", save_steps: plan.saveSteps } : { save_strategy: "no" }),
    save_total_limit: plan.keepCheckpoints,
    ...(evaluates ? { eval_strategy: "steps", eval_steps: plan.evalSteps, per_device_eval_batch_size: plan.microBatch } : {}),
    report_to: "none",
    ...(run.gpus > 1 ? { deepspeed: DEEPSPEED_FILE } : {}),
  };
  if (plan.earlyStop > 0 && evaluates) {
    notes.push({
      option: "--early-stop",
      value: String(plan.earlyStop),
      en: "LLaMA-Factory's YAML has no early-stopping setting; the job trains all its steps (compare the saved checkpoints' eval_loss instead).",
      ko: "LLaMA-Factory YAML에는 조기 종료 설정이 없어 모든 스텝을 학습합니다 (저장된 체크포인트의 eval_loss를 비교하세요).",
    });
  }
  return { file: "llamafactory.yaml", config, notes };
}
