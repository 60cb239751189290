// How a job spreads over several GPUs: a DeepSpeed ZeRO config file (read by both trainers through the Hugging Face
// Trainer, whose "auto" values take the batch, accumulation, clipping and precision from the trainer's own config),
// or Axolotl's FSDP section. ZeRO-2 shards optimizer state and gradients (enough for LoRA, whose trainable part is
// small); ZeRO-3 also shards the weights, which full-weight DAPT of a large model needs.
import { ARCHITECTURES } from "../arch/registry.js";
import { ExportJobError } from "../errors.js";
import type { ExportTarget } from "./options.js";

export const DEEPSPEED_FILE = "deepspeed.json";


/** DeepSpeed config (keys as in axolotl's deepspeed_configs/zero2.json and zero3_bf16.json). */
export function deepSpeedConfig(method: "lora" | "full"): Record<string, unknown> {
  const stage = method === "full" ? 3 : 2;
  return {
    zero_optimization: {
      stage,
      contiguous_gradients: true,
      overlap_comm: true,
      // ZeRO-3 holds each weight in pieces across GPUs; the final save must gather them into one 16-bit copy.
      ...(stage === 3 ? { gather_16bit_weights_on_model_save: true } : {}),
    },
    bf16: { enabled: "auto" },
    gradient_accumulation_steps: "auto",
    gradient_clipping: "auto",
    train_batch_size: "auto",
    train_micro_batch_size_per_gpu: "auto",
  };
}

/** Axolotl's FSDP section (fsdp_config keys of axolotl's FSDPConfig schema). */
export function axolotlFsdpConfig(architecture: string, checkpointing: boolean): Record<string, unknown> {
  // The decoder layer class transformers defines for the architecture: FSDP wraps one of these per shard unit.
  const layer = ARCHITECTURES.find((a) => a.name === architecture)?.hf.decoderLayerClass;
  if (!layer) throw new ExportJobError({ en: `no FSDP layer class known for architecture ${architecture}; use --distributed deepspeed.`, ko: `${architecture} 아키텍처의 FSDP 레이어 클래스를 모릅니다. --distributed deepspeed를 쓰세요.` });
  return {
    fsdp_version: 2,
    auto_wrap_policy: "TRANSFORMER_BASED_WRAP",
    transformer_layer_cls_to_wrap: layer,
    state_dict_type: "FULL_STATE_DICT",
    reshard_after_forward: true,
    ...(checkpointing ? { activation_checkpointing: true } : {}),
  };
}

/** Refuses FSDP for LLaMA-Factory, which takes FSDP only through an accelerate launcher config, not its own YAML. */
export function checkDistributed(target: ExportTarget, distributed: "deepspeed" | "fsdp", gpus: number): void {
  if (gpus > 1 && distributed === "fsdp" && target === "llama-factory") {
    throw new ExportJobError({
      en: "LLaMA-Factory runs FSDP through an accelerate launcher config, not through its training YAML; export-job writes DeepSpeed for it. Use --distributed deepspeed (or --to axolotl for FSDP).",
      ko: "LLaMA-Factory는 FSDP를 학습 YAML이 아니라 accelerate 실행 설정으로 씁니다. export-job은 LLaMA-Factory에 DeepSpeed를 씁니다. --distributed deepspeed를 쓰세요 (FSDP는 --to axolotl).",
    });
  }
}
