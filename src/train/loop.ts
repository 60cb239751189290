// The training loop shared by every method: data order, micro-batches and accumulation, schedule, clipping,
// validation, early stop, checkpoints, resume and export. Runs inside the job's child process (see job.ts).
import fs from "node:fs";
import path from "node:path";
import { InsufficientMemoryError, InvalidConfigError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";
import { selectDevice } from "../native/device-choice.js";
import { listGgmlDevices, pickDevice } from "../native/ggml-devices.js";
import { loadGgml } from "../native/ggml-runtime.js";
import { ensureMemory, memoryLimitBytes, peakRssBytes, residentBytes } from "../engine/memory.js";
import { planTrainingMemory, type TrainingMemoryPlan } from "../engine/memory-plan.js";
import { EngineModel } from "../engine/model.js";
import { ggmlTypeInfo } from "../formats/tensor-types.js";
import { readHparams } from "../arch/hparams.js";
import { findArchitecture } from "../arch/registry.js";
import { GgmlType, readGguf } from "../formats/gguf/index.js";
import { seededRandom } from "../engine/random.js";
import { Trainer, type MicroBatch } from "../engine/trainer.js";
import { tensorShape } from "../native/ggml-bindings.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { findMethod } from "../methods/registry.js";
import { readCheckpoint, writeCheckpoint, type LoopState } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import { epochOrder, fillSequence, loadTokenStream, sequenceCount, type TokenStream } from "./data.js";
import { exportTrainedModel } from "./export-model.js";
import { RunFolder } from "./run-folder.js";
import { learningRateAt } from "./schedule.js";

export type TrainEvent =
  | {
      type: "start";
      /** Process id of the training process (for supervisors). */
      pid: number;
      method: string;
      totalSteps: number;
      resumedFromStep: number | null;
      trainableParams: number;
      totalParams: number;
      trainSequences: number;
      valSequences: number;
      tokensPerStep: number;
      droppedTailTokens: number;
      memoryPlan: TrainingMemoryPlan;
      measuredComputeBytes: number;
      /** Whether this run checkpoints activations, and whether the loop turned it on itself because only the
       *  checkpointed plan fits in memory (results are identical either way). */
      checkpointActivations: boolean;
      checkpointingForMemory: boolean;
      /** Where the run computes ("CPU", "Vulkan0", ...), and why (auto's choice or --device). */
      device: { name: string; description: string; software: boolean; reason: Bilingual };
      /** Ops of the training graphs the device cannot run, which ggml's scheduler runs on the CPU (GPU runs only). */
      cpuFallbackOps: string[];
    }
  | { type: "step"; step: number; totalSteps: number; loss: number; lr: number; gradNorm: number; tokensPerSecond: number; elapsedSeconds: number; etaSeconds: number }
  | { type: "eval"; step: number; valLoss: number }
  | { type: "checkpoint"; step: number; file: string }
  | { type: "done"; reason: "completed" | "early-stop" | "interrupted"; step: number; output: string | null; elapsedSeconds: number; peakRssBytes: number };

export interface LoopControl {
  /** Set by a signal handler: the loop finishes the current step, writes a checkpoint and returns. */
  stopRequested: boolean;
}

export async function runTrainingLoop(runDir: string, control: LoopControl, onEvent: (event: TrainEvent) => void): Promise<void> {
  const folder = RunFolder.open(runDir);
  const config = folder.readConfig();
  const method = findMethod(config.method);
  // Before anything loads node-llama-cpp: the device picks the build (one per process).
  selectDevice(config.device);
  const options = method.schema.parse(config.methodOptions);
  const T = config.ctx;
  const B = config.batch;

  const vocab = await loadLlamaModel(config.model, { vocabOnly: true });
  const train = loadTokenStream(config.data, vocab, "train");
  const val = loadValidation(config, vocab);
  await vocab.dispose();
  const trainSequences = sequenceCount(train.tokens.length, T);
  if (trainSequences < B) {
    throw new InvalidConfigError({
      en: `the training data has ${train.tokens.length} tokens: ${trainSequences} sequence(s) of ${T}, fewer than one batch of ${B}. Add data, or lower --ctx or --batch.`,
      ko: `학습 데이터가 ${train.tokens.length} 토큰으로 길이 ${T}의 시퀀스 ${trainSequences}개뿐이라 배치(${B})에 못 미칩니다. 데이터를 늘리거나 --ctx, --batch를 줄이세요.`,
    });
  }
  const sequencesPerStep = B * config.gradAccum;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil((config.epochs * trainSequences) / sequencesPerStep));
  const evalEvery = config.evalEvery ?? Math.max(1, Math.round(totalSteps / 10));
  const saveEvery = config.saveEvery ?? evalEvery;

  // The memory plan comes from the file's metadata alone and is checked before any weight is loaded.
  const loadOptions = method.loadOptions(options);
  const file = readGguf(config.model);
  const hparams = readHparams(file, file.tensors, findArchitecture(file.architecture).ropeMode);
  const kernelLayouts = config.kernelLayouts && !loadOptions.f32Weights;
  // With kernel layouts, quantized matrices (not token_embd) are held twice: the fast layout and the plain copy.
  const secondCopies = kernelLayouts ? file.tensors.filter((t) => t.ne.length === 2 && t.name !== "token_embd.weight" && ggmlTypeInfo(t.type).quantized).reduce((sum, t) => sum + t.byteLength, 0) : 0;
  const heldWeightBytes = secondCopies + file.tensors.reduce((sum, t) => sum + (loadOptions.f32Weights ? 4 * t.elementCount : t.byteLength), 0);
  const plannedTrainable = method.countTrainable(file.tensors, hparams, options);
  const runtimeBytes = residentBytes();
  const planWith = (checkpointActivations: boolean) => planTrainingMemory({
    shape: hparams,
    weightBytes: heldWeightBytes,
    trainableParams: plannedTrainable,
    fullTraining: plannedTrainable >= file.tensors.reduce((sum, t) => sum + t.elementCount, 0),
    sequenceLength: T,
    batchSize: B,
    compactFrozenWeights: !loadOptions.f32Weights && file.tensors.some((t) => t.ne.length >= 2 && t.type !== GgmlType.F32),
    checkpointActivations,
    runtimeBytes,
  });
  const wholePlan = planWith(false);
  const checkpointedPlan = planWith(true);
  // Checkpointing gives the same gradients with less memory: when only the checkpointed plan fits, use it.
  // This process is already resident: only the rest of a plan is still to be allocated.
  const toAllocate = (plan: TrainingMemoryPlan) => plan.totalBytes - plan.runtimeBytes;
  const limit = memoryLimitBytes();
  const checkpointingForMemory = !config.checkpointActivations && toAllocate(wholePlan) > limit && toAllocate(checkpointedPlan) <= limit;
  const checkpointActivations = config.checkpointActivations || checkpointingForMemory;
  const memoryPlan = checkpointActivations ? checkpointedPlan : wholePlan;
  const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);
  // auto takes a real GPU only when the plan fits its free memory; a named GPU must hold the plan.
  const ggml = await loadGgml();
  const target = pickDevice(listGgmlDevices(ggml.api), config.device, toAllocate(memoryPlan));
  if (target.device.type !== "cpu") {
    if (toAllocate(memoryPlan) > target.device.freeBytes) {
      throw new InsufficientMemoryError(toAllocate(memoryPlan), target.device.freeBytes, { en: `training on ${target.device.name} (${target.device.description})`, ko: `${target.device.name} (${target.device.description})에서 학습` }, {
        en: "Use --checkpoint-activations, a shorter --ctx, a smaller --batch, a parameter-efficient method such as LoRA, or --device cpu.",
        ko: "--checkpoint-activations, 더 짧은 --ctx, 더 작은 --batch, LoRA 같은 파라미터 효율적 방법, 또는 --device cpu를 쓰세요.",
      });
    }
  } else ensureMemory(
    toAllocate(memoryPlan),
    { en: "training (weights, gradients, optimizer state and activations)", ko: "학습(가중치, 기울기, 옵티마이저 상태, 활성값)" },
    checkpointActivations
      ? {
          en: "Use a shorter --ctx, a smaller --batch (with --grad-accum to keep the step size), or a parameter-efficient method such as LoRA.",
          ko: "--ctx를 줄이거나, --batch를 줄이거나(--grad-accum으로 스텝 크기 유지), LoRA 같은 파라미터 효율적 방법을 쓰세요.",
        }
      : {
          en: `Even with activation checkpointing (turned on by itself when that is enough) it would need about ${gib(toAllocate(checkpointedPlan))} GiB. Use a shorter --ctx, a smaller --batch (with --grad-accum to keep the step size), or a parameter-efficient method such as LoRA.`,
          ko: `활성값 체크포인팅(그것으로 충분하면 자동으로 켜짐)을 써도 약 ${gib(toAllocate(checkpointedPlan))} GiB가 필요합니다. --ctx를 줄이거나, --batch를 줄이거나(--grad-accum으로 스텝 크기 유지), LoRA 같은 파라미터 효율적 방법을 쓰세요.`,
        },
  );
  const model = await EngineModel.load(config.model, { threads: config.threads, device: config.device, neededBytes: toAllocate(memoryPlan), skipMemoryCheck: true, ...loadOptions, ...(kernelLayouts ? { kernelLayouts: true, plainCopies: true } : {}) });
  const prepared = method.prepare(model, method.resolveOptions ? await method.resolveOptions(options, { modelPath: config.model }) : options, config.seed);
  const trainableParams = prepared.trainable.reduce((sum, t) => sum + model.api.ggml_nelements(t.tensor), 0);
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: T, batchSize: B, checkpointActivations }, {
    beta1: config.beta1,
    beta2: config.beta2,
    eps: config.adamEps,
    weightDecay: config.weightDecay,
    maxGradNorm: config.maxGradNorm,
  }, prepared.hooks);

  const state: LoopState = { step: 0, epoch: 0, position: 0, bestValLoss: null, evalsWithoutImprovement: 0, elapsedSeconds: 0 };
  const steps = folder.checkpointSteps();
  const resumedFromStep = steps.length > 0 ? steps[steps.length - 1]! : null;
  if (resumedFromStep !== null) {
    const saved = readCheckpoint(folder.checkpointPath(resumedFromStep), prepared.trainable.map((t) => t.name));
    trainer.writeState(saved.tensors, saved.state.step);
    Object.assign(state, saved.state);
    folder.truncateMetricsAfter(state.step);
  }
  const fallbackOps = trainer.cpuFallbackOps();
  onEvent({
    type: "start",
    pid: process.pid,
    method: method.name,
    totalSteps,
    resumedFromStep,
    trainableParams,
    totalParams: totalParameterCount(model),
    trainSequences,
    valSequences: val ? sequenceCount(val.tokens.length, T) : 0,
    tokensPerStep: sequencesPerStep * T,
    droppedTailTokens: train.tokens.length - 1 - trainSequences * T,
    memoryPlan,
    measuredComputeBytes: trainer.computeBufferBytes(),
    checkpointActivations,
    checkpointingForMemory,
    device: { name: model.backend.name, description: model.backend.description, software: model.backend.info.software, reason: model.backend.reason },
    cpuFallbackOps: fallbackOps,
  });
  folder.appendMetrics({
    step: state.step,
    elapsedSeconds: state.elapsedSeconds,
    event: resumedFromStep === null ? "start" : "resume",
    device: `${model.backend.name} (${model.backend.description})`,
    ...(fallbackOps.length > 0 ? { cpuFallbackOps: fallbackOps } : {}),
  });

  const sessionStart = performance.now() / 1000 - state.elapsedSeconds;
  const elapsed = () => performance.now() / 1000 - sessionStart;
  let order = epochOrder(trainSequences, config.seed, state.epoch, seededRandom);
  const microBatches = Array.from({ length: config.gradAccum }, () => emptyBatch(B * T));
  let reason: "completed" | "early-stop" | "interrupted" = "completed";

  const saveCheckpoint = async () => {
    state.elapsedSeconds = elapsed();
    const file = folder.checkpointPath(state.step);
    const tensors = trainer.readState().map((t, i) => ({ ...t, ne: tensorShape(prepared.trainable[i]!.tensor).ne.slice() }));
    await writeCheckpoint(file, tensors, state);
    folder.pruneCheckpoints(config.keepCheckpoints);
    onEvent({ type: "checkpoint", step: state.step, file });
  };

  while (state.step < totalSteps) {
    const stepStart = performance.now();
    let counted = 0;
    for (const mb of microBatches) {
      for (let slot = 0; slot < B; slot++) {
        if (state.position >= trainSequences) {
          state.epoch += 1;
          state.position = 0;
          order = epochOrder(trainSequences, config.seed, state.epoch, seededRandom);
        }
        fillSequence(train, order[state.position++]!, T, mb.tokens, mb.targets, mb.weights, slot);
      }
      for (const w of mb.weights) counted += w;
    }
    trainer.beginStep();
    let loss = 0;
    for (const mb of microBatches) {
      // weights held the 0/1 mask; turn them into 1 / (targets counted in this step) so the step's loss is a mean.
      if (counted > 0) for (let i = 0; i < mb.weights.length; i++) mb.weights[i] = mb.weights[i]! / counted;
      loss += trainer.accumulate(mb);
    }
    const lr = learningRateAt(state.step + 1, totalSteps, config);
    const { gradNorm } = trainer.applyStep(lr);
    state.step += 1;
    const seconds = (performance.now() - stepStart) / 1000;
    const tokensPerSecond = (sequencesPerStep * T) / seconds;
    const elapsedSeconds = elapsed();
    folder.appendMetrics({ step: state.step, loss, lr, gradNorm, tokensPerSecond, elapsedSeconds, epoch: state.epoch });
    onEvent({ type: "step", step: state.step, totalSteps, loss, lr, gradNorm, tokensPerSecond, elapsedSeconds, etaSeconds: (totalSteps - state.step) * seconds });

    if (val && evalEvery > 0 && (state.step % evalEvery === 0 || state.step === totalSteps)) {
      const valLoss = validationLoss(trainer, val, T, B, config.evalBatches);
      folder.appendMetrics({ step: state.step, valLoss, elapsedSeconds: elapsed() });
      onEvent({ type: "eval", step: state.step, valLoss });
      if (state.bestValLoss === null || valLoss < state.bestValLoss) {
        state.bestValLoss = valLoss;
        state.evalsWithoutImprovement = 0;
      } else {
        state.evalsWithoutImprovement += 1;
      }
      if (config.earlyStop > 0 && state.evalsWithoutImprovement >= config.earlyStop) {
        reason = "early-stop";
        break;
      }
    }
    // Steps are synchronous native work: yield once per step so a pending Ctrl-C (SIGINT handler) or abort is seen now.
    await new Promise((resolve) => setImmediate(resolve));
    if (control.stopRequested) {
      reason = "interrupted";
      break;
    }
    if (saveEvery > 0 && state.step % saveEvery === 0 && state.step < totalSteps) await saveCheckpoint();
  }
  await saveCheckpoint();
  let output: string | null = null;
  if (reason !== "interrupted") {
    const values = new Map(trainer.readState().map((t) => [t.name, t.value]));
    if (method.output === "model") {
      await exportTrainedModel(model.file, values, folder.modelFile, config.exportType, `${method.name} fine-tune of ${path.basename(config.model)} by localtune`);
      output = folder.modelFile;
    } else if (method.exportAdapter) {
      output = await method.exportAdapter(options, { model, values, dir: folder.adapterDir, baseModelPath: config.model });
    }
  }
  folder.appendMetrics({ step: state.step, elapsedSeconds: elapsed(), event: reason === "completed" ? "done" : reason });
  onEvent({ type: "done", reason, step: state.step, output, elapsedSeconds: elapsed(), peakRssBytes: peakRssBytes() });
  trainer.dispose();
  prepared.dispose();
  model.dispose();
}

function loadValidation(config: TrainConfig, vocab: Parameters<typeof loadTokenStream>[1]): TokenStream | undefined {
  if (config.valData.length > 0) return loadTokenStream(config.valData, vocab, "val");
  const datasets = config.data.filter((input) => fs.existsSync(path.join(input, "manifest.json")));
  if (datasets.length === 0) return undefined;
  const stream = loadTokenStream(datasets, vocab, "val");
  return stream.tokens.length > 1 ? stream : undefined;
}

/** Mean NLL per counted target over the first `maxBatches` micro-batches of validation sequences (same ones every time). */
function validationLoss(trainer: Trainer, val: TokenStream, T: number, B: number, maxBatches: number): number {
  const n = sequenceCount(val.tokens.length, T);
  const batch = emptyBatch(B * T);
  let nll = 0;
  let counted = 0;
  for (let first = 0; first < n && first / B < maxBatches; first += B) {
    batch.weights.fill(0);
    for (let slot = 0; slot < B; slot++) {
      // A short last batch repeats earlier sequences with zero weight, so shapes stay fixed.
      const k = first + slot < n ? first + slot : first;
      fillSequence(val, k, T, batch.tokens, batch.targets, batch.weights, slot);
      if (first + slot >= n) batch.weights.fill(0, slot * T, (slot + 1) * T);
    }
    for (const w of batch.weights) counted += w;
    nll += trainer.evaluate(batch); // weights are the raw mask: this is a sum of NLLs
  }
  return counted > 0 ? nll / counted : Number.NaN;
}

function emptyBatch(n: number): MicroBatch {
  return { tokens: new Int32Array(n), targets: new Int32Array(n), weights: new Float32Array(n) };
}

function totalParameterCount(model: EngineModel): number {
  let total = 0;
  for (const tensor of model.weights.values()) total += model.api.ggml_nelements(tensor);
  return total;
}
