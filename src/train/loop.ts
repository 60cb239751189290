// The training loop shared by every method: data order, micro-batches and accumulation, schedule, clipping,
// validation, early stop, checkpoints, resume and export. Runs inside the job's child process (see job.ts). Three
// parts: planning (plan.ts: GGUF, memory plan, device), the model loaded from that parsed file, and the step loop.
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";
import { selectDevice } from "../native/device-choice.js";
import { peakRssBytes } from "../engine/memory.js";
import type { TrainingMemoryPlan } from "../engine/memory-plan.js";
import { EngineModel } from "../engine/model.js";
import { seededRandom } from "../engine/random.js";
import { Trainer, type MicroBatch } from "../engine/trainer.js";
import { tensorShape } from "../native/ggml-bindings.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import type { MethodDefinition, PreparedMethod } from "../methods/types.js";
import { readCheckpoint, writeCheckpoint, type LoopState } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import { epochOrder, fillSequence, loadTokenStream, sequenceCount, type TokenStream } from "./data.js";
import { exportTrainedModel } from "./export-model.js";
import { RunFolder } from "./run-folder.js";
import { planTrainingRun } from "./plan.js";
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
  // Before anything loads node-llama-cpp: the device picks the build (one per process).
  selectDevice(config.device);
  const data = await loadTrainingData(config);

  // Planned from the file's metadata alone and checked before any weight is loaded; the model loads from the same
  // parsed file.
  const plan = await planTrainingRun(config);
  const { method, options, checkpointActivations } = plan;
  const T = config.ctx;
  const B = config.batch;
  const model = await EngineModel.loadParsed(plan.file, { threads: config.threads, device: config.device, neededBytes: plan.neededBytes, skipMemoryCheck: true, ...plan.loadOptions, ...(plan.kernelLayouts ? { kernelLayouts: true, plainCopies: true } : {}) });
  const prepared = method.prepare(model, method.resolveOptions ? await method.resolveOptions(options, { modelPath: config.model }) : options, config.seed);
  const trainableParams = prepared.trainable.reduce((sum, t) => sum + model.api.ggml_nelements(t.tensor), 0);
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: T, batchSize: B, checkpointActivations, precision: config.precision, ...(config.quantizedBackward === "auto" ? {} : { quantizedTransposes: config.quantizedBackward }) }, {
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
  const sequencesPerStep = B * config.gradAccum;
  const totalSteps = config.steps ?? Math.max(1, Math.ceil((config.epochs * data.trainSequences) / sequencesPerStep));
  const fallbackOps = trainer.cpuFallbackOps();
  onEvent({
    type: "start",
    pid: process.pid,
    method: method.name,
    totalSteps,
    resumedFromStep,
    trainableParams,
    totalParams: totalParameterCount(model),
    trainSequences: data.trainSequences,
    valSequences: data.val ? sequenceCount(data.val.tokens.length, T) : 0,
    tokensPerStep: sequencesPerStep * T,
    droppedTailTokens: data.train.tokens.length - 1 - data.trainSequences * T,
    memoryPlan: plan.memoryPlan,
    measuredComputeBytes: trainer.computeBufferBytes(),
    checkpointActivations,
    checkpointingForMemory: plan.checkpointingForMemory,
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

  await runSteps({ folder, config, method, options, model, trainable: prepared.trainable, trainer, data, totalSteps }, state, control, onEvent);
  trainer.dispose();
  prepared.dispose();
  model.dispose();
}

/** The run's token streams, read with the model's own tokenizer; too little data for one batch is refused here. */
async function loadTrainingData(config: TrainConfig): Promise<TrainingData> {
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
  return { train, val, trainSequences };
}

interface TrainingData {
  train: TokenStream;
  val: TokenStream | undefined;
  /** Whole sequences of `ctx` tokens in the training stream. */
  trainSequences: number;
}

/** What the step loop works on, set up by runTrainingLoop. */
interface StepLoopInputs {
  folder: RunFolder;
  config: TrainConfig;
  method: MethodDefinition;
  options: Record<string, unknown>;
  model: EngineModel;
  trainable: PreparedMethod["trainable"];
  trainer: Trainer;
  data: TrainingData;
  totalSteps: number;
}

/**
 * Steps from `state` (fresh or resumed) to the end, a stop request or an early stop: micro-batches in the epoch's
 * order, validation, checkpoints, then the last checkpoint, the export and the done event.
 */
async function runSteps(run: StepLoopInputs, state: LoopState, control: LoopControl, onEvent: (event: TrainEvent) => void): Promise<void> {
  const { folder, config, method, options, model, trainable, trainer, totalSteps } = run;
  const { train, val, trainSequences } = run.data;
  const T = config.ctx;
  const B = config.batch;
  const sequencesPerStep = B * config.gradAccum;
  const evalEvery = config.evalEvery ?? Math.max(1, Math.round(totalSteps / 10));
  const saveEvery = config.saveEvery ?? evalEvery;
  const sessionStart = performance.now() / 1000 - state.elapsedSeconds;
  const elapsed = () => performance.now() / 1000 - sessionStart;
  let order = epochOrder(trainSequences, config.seed, state.epoch, seededRandom);
  const microBatches = Array.from({ length: config.gradAccum }, () => emptyBatch(B * T));
  let reason: "completed" | "early-stop" | "interrupted" = "completed";

  const saveCheckpoint = async () => {
    state.elapsedSeconds = elapsed();
    const file = folder.checkpointPath(state.step);
    const tensors = trainer.readState().map((t, i) => ({ ...t, ne: tensorShape(trainable[i]!.tensor).ne.slice() }));
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
