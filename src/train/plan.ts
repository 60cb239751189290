// Plans a training run before any weight is loaded: the GGUF header and hparams, the memory plan (whole and with
// activation checkpointing, and which of the two the run uses), and the device that holds it. A run that cannot fit
// is refused here, with numbers. The loop then loads the model from the same parsed file, and `doctor --verify`
// chooses between its two estimates by the same rule as the loop.
import { InsufficientMemoryError, InvalidConfigError } from "../errors.js";
import { readHparams, type ModelHparams } from "../arch/hparams.js";
import { findArchitecture } from "../arch/registry.js";
import { ensureMemory, memoryLimitBytes, residentBytes } from "../engine/memory.js";
import { planTrainingMemory, type TrainingMemoryPlan } from "../engine/memory-plan.js";
import { GgmlType, readGguf, type GgufFile } from "../formats/gguf/index.js";
import { ggmlTypeInfo } from "../formats/tensor-types.js";
import { findMethod } from "../methods/registry.js";
import type { MethodDefinition } from "../methods/types.js";
import { listGgmlDevices, pickDevice } from "../native/ggml-devices.js";
import { loadGgml } from "../native/ggml-runtime.js";
import type { TrainConfig } from "./config.js";

/** The memory side of a run's plan: a pure function of the config, the parsed file and two readings of this machine. */
export interface TrainingMemoryChoice {
  method: MethodDefinition;
  /** The method's options, parsed by its schema. */
  options: Record<string, unknown>;
  /** How the method needs the weights held (F32 when every weight trains). */
  loadOptions: ReturnType<MethodDefinition["loadOptions"]>;
  file: GgufFile;
  hparams: ModelHparams;
  /** Quantized matrices in the CPU's fast layouts (--kernel-layouts), each with a plain copy for the backward pass. */
  kernelLayouts: boolean;
  /** Trainable parameters counted from the tensor infos (before the method builds its tensors). */
  plannedTrainable: number;
  wholePlan: TrainingMemoryPlan;
  checkpointedPlan: TrainingMemoryPlan;
  /** The plan the run uses: the checkpointed one when asked for, or when only it fits. */
  memoryPlan: TrainingMemoryPlan;
  checkpointActivations: boolean;
  /** The loop turned checkpointing on by itself because only the checkpointed plan fits (same results). */
  checkpointingForMemory: boolean;
  /** Bytes still to allocate: the plan less what this process already holds. */
  neededBytes: number;
}

export type TrainingRunPlan = TrainingMemoryChoice & {
  /** The device auto or --device settles on for this plan (the model's backend opens the same one). */
  device: ReturnType<typeof pickDevice<ReturnType<typeof listGgmlDevices>[number]>>;
};

/** Bytes a plan still has to allocate: this process is already resident, so its runtime share is held. */
export function bytesToAllocate(plan: TrainingMemoryPlan): number {
  return plan.totalBytes - plan.runtimeBytes;
}

/**
 * Which plan a run uses. Checkpointing gives the same gradients with less memory: it is on when asked for, or by
 * itself when the whole plan does not fit in `limitBytes` and the checkpointed one does.
 */
export function chooseMemoryPlan(wholePlan: TrainingMemoryPlan, checkpointedPlan: TrainingMemoryPlan, requested: boolean, limitBytes: number) {
  const checkpointingForMemory = !requested && bytesToAllocate(wholePlan) > limitBytes && bytesToAllocate(checkpointedPlan) <= limitBytes;
  const checkpointActivations = requested || checkpointingForMemory;
  return { memoryPlan: checkpointActivations ? checkpointedPlan : wholePlan, checkpointActivations, checkpointingForMemory };
}

/** The memory plan of `config` over an already parsed GGUF, from its metadata alone (no weight is read). */
export function planRunMemory(config: TrainConfig, file: GgufFile, machine: { runtimeBytes: number; limitBytes: number }): TrainingMemoryChoice {
  const method = findMethod(config.method);
  const options = method.schema.parse(config.methodOptions);
  const loadOptions = method.loadOptions(options);
  const hparams = readHparams(file, file.tensors, findArchitecture(file.architecture));
  const kernelLayouts = config.kernelLayouts && !loadOptions.f32Weights;
  // With kernel layouts, quantized matrices (not token_embd) are held twice: the fast layout and the plain copy.
  const secondCopies = kernelLayouts ? file.tensors.filter((t) => t.ne.length === 2 && t.name !== "token_embd.weight" && ggmlTypeInfo(t.type).quantized).reduce((sum, t) => sum + t.byteLength, 0) : 0;
  const heldWeightBytes = secondCopies + file.tensors.reduce((sum, t) => sum + (loadOptions.f32Weights ? 4 * t.elementCount : t.byteLength), 0);
  const plannedTrainable = method.countTrainable(file.tensors, hparams, options);
  const planWith = (checkpointActivations: boolean) => planTrainingMemory({
    shape: hparams,
    weightBytes: heldWeightBytes,
    trainableParams: plannedTrainable,
    fullTraining: plannedTrainable >= file.tensors.reduce((sum, t) => sum + t.elementCount, 0),
    sequenceLength: config.ctx,
    batchSize: config.batch,
    compactFrozenWeights: !loadOptions.f32Weights && file.tensors.some((t) => t.ne.length >= 2 && t.type !== GgmlType.F32),
    checkpointActivations,
    runtimeBytes: machine.runtimeBytes,
  });
  const wholePlan = planWith(false);
  const checkpointedPlan = planWith(true);
  const choice = chooseMemoryPlan(wholePlan, checkpointedPlan, config.checkpointActivations, machine.limitBytes);
  return { method, options, loadOptions, file, hparams, kernelLayouts, plannedTrainable, wholePlan, checkpointedPlan, ...choice, neededBytes: bytesToAllocate(choice.memoryPlan) };
}

/**
 * Plans `config` on this machine: reads the GGUF header, plans memory against the resident memory now and the memory
 * limit, picks the device (auto takes a real GPU only when the plan fits its free memory) and throws
 * InsufficientMemoryError when the chosen device cannot hold the plan. Call selectDevice(config.device) first.
 */
export async function planTrainingRun(config: TrainConfig): Promise<TrainingRunPlan> {
  const file = readGguf(config.model);
  const plan = planRunMemory(config, file, { runtimeBytes: residentBytes(), limitBytes: memoryLimitBytes() });
  const { neededBytes, checkpointActivations, checkpointedPlan } = plan;
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  const ggml = await loadGgml();
  const device = pickDevice(listGgmlDevices(ggml.api), config.device, neededBytes);
  if (device.device.type !== "cpu" && config.precision !== "f32") {
    throw new InvalidConfigError({
      en: `--precision ${config.precision} is a CPU mode (BF16 or Q8_0 products on the CPU's vector units), and this run would train on ${device.device.name} (${device.device.description}). Use --device cpu to keep ${config.precision}, or --precision f32 on the GPU.`,
      ko: `--precision ${config.precision}는 CPU 모드입니다(CPU 벡터 유닛의 BF16 또는 Q8_0 곱셈). 이 실행은 ${device.device.name} (${device.device.description})에서 학습하게 됩니다. ${config.precision}를 쓰려면 --device cpu를, GPU에서는 --precision f32를 쓰세요.`,
    });
  }
  if (device.device.type !== "cpu" && config.quantizedBackward !== "auto") {
    throw new InvalidConfigError({
      en: `--quantized-backward ${config.quantizedBackward} picks a CPU kernel, and this run would train on ${device.device.name} (${device.device.description}), whose backward has its own. Use --device cpu to keep it, or leave --quantized-backward at auto.`,
      ko: `--quantized-backward ${config.quantizedBackward}는 CPU 커널을 고르는 옵션인데, 이 실행은 자체 역전파 커널이 있는 ${device.device.name} (${device.device.description})에서 학습하게 됩니다. 유지하려면 --device cpu를 쓰고, 아니면 --quantized-backward를 auto로 두세요.`,
    });
  }
  // A named GPU must hold the plan (pickDevice keeps it even when it does not).
  if (device.device.type !== "cpu") {
    if (neededBytes > device.device.freeBytes) {
      throw new InsufficientMemoryError(neededBytes, device.device.freeBytes, { en: `training on ${device.device.name} (${device.device.description})`, ko: `${device.device.name} (${device.device.description})에서 학습` }, {
        en: "Use --checkpoint-activations, a shorter --ctx, a smaller --batch, a parameter-efficient method such as LoRA, or --device cpu.",
        ko: "--checkpoint-activations, 더 짧은 --ctx, 더 작은 --batch, LoRA 같은 파라미터 효율적 방법, 또는 --device cpu를 쓰세요.",
      });
    }
  } else ensureMemory(
    neededBytes,
    { en: "training (weights, gradients, optimizer state and activations)", ko: "학습(가중치, 기울기, 옵티마이저 상태, 활성값)" },
    checkpointActivations
      ? {
          en: "Use a shorter --ctx, a smaller --batch (with --grad-accum to keep the step size), or a parameter-efficient method such as LoRA.",
          ko: "--ctx를 줄이거나, --batch를 줄이거나(--grad-accum으로 스텝 크기 유지), LoRA 같은 파라미터 효율적 방법을 쓰세요.",
        }
      : {
          en: `Even with activation checkpointing (turned on by itself when that is enough) it would need about ${gib(bytesToAllocate(checkpointedPlan))} GiB. Use a shorter --ctx, a smaller --batch (with --grad-accum to keep the step size), or a parameter-efficient method such as LoRA.`,
          ko: `활성값 체크포인팅(그것으로 충분하면 자동으로 켜짐)을 써도 약 ${gib(bytesToAllocate(checkpointedPlan))} GiB가 필요합니다. --ctx를 줄이거나, --batch를 줄이거나(--grad-accum으로 스텝 크기 유지), LoRA 같은 파라미터 효율적 방법을 쓰세요.`,
        },
  );
  return { ...plan, device };
}
