// Trains one rung of the ladder in a child process (src/train) under the shared budget, and reads back what the
// report needs: trainable parameters, training time, tokens/s, peak memory and the loss curve.
import { LocaltuneError } from "../errors.js";
import type { LossPoint } from "../report/schema.js";
import { RunFolder, startTraining } from "../train/index.js";
import { stepsFor, type Budget } from "./budget.js";
import type { Rung } from "./rungs.js";
import type { ProductPrecision } from "../engine/product-precision.js";

export interface TrainRungOptions {
  model: string;
  data: readonly string[];
  runDir: string;
  budget: Budget;
  ctx: number;
  batch: number;
  checkpointActivations?: boolean;
  kernelLayouts?: boolean;
  precision?: ProductPrecision;
  seed: number;
  threads: number;
  onStep?: (step: number, totalSteps: number | null, loss: number) => void;
}

export interface TrainedRung {
  runDir: string;
  steps: number;
  trainableParams: number;
  /** Wall-clock seconds of the optimizer steps (model loading and export not counted). */
  trainSeconds: number;
  tokensPerSecond: number | null;
  peakMemoryBytes: number;
  lossCurve: LossPoint[];
  /** How the rung was trained, for the report's notes. */
  recipe: string;
}

export async function trainRung(rung: Rung, options: TrainRungOptions): Promise<TrainedRung> {
  const tokensPerStep = options.ctx * options.batch;
  const steps = stepsFor(options.budget, tokensPerStep);
  // A token budget runs a known number of steps, so the learning rate can decay over them; a time budget cannot
  // know its step count and trains at a constant rate until its clock stops it.
  const schedule = options.budget.kind === "tokens" ? "cosine" : "constant";
  const clock = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let trainableParams = 0;
  const { done } = await startTraining(
    {
      method: rung.method!,
      methodOptions: rung.methodOptions ?? {},
      model: options.model,
      data: [...options.data],
      out: options.runDir,
      steps,
      ctx: options.ctx,
      batch: options.batch,
      checkpointActivations: options.checkpointActivations ?? false,
      kernelLayouts: options.kernelLayouts ?? false,
      precision: options.precision ?? "f32",
      lr: rung.lr,
      schedule,
      seed: options.seed,
      threads: options.threads,
      evalEvery: 0,
      // The training loop is synchronous between checkpoints, so the child sees the clock's stop request only when
      // it writes one: a time budget checkpoints after every step (a small cost for adapters, a large one for DAPT
      // on big models, where a token budget is the better choice). A token budget checkpoints once, at the end.
      saveEvery: options.budget.kind === "seconds" ? 1 : 0,
      keepCheckpoints: 1,
    },
    {
      signal: clock.signal,
      onEvent(event) {
        if (event.type === "start") {
          trainableParams = event.trainableParams;
          // The clock starts after the model has loaded: the budget is training time.
          const budget = options.budget;
          if (budget.kind === "seconds") timer = setTimeout(() => clock.abort(), budget.seconds * 1000);
        } else if (event.type === "step") {
          options.onStep?.(event.step, options.budget.kind === "tokens" ? event.totalSteps : null, event.loss);
        }
      },
    },
  );
  clearTimeout(timer);
  if (done.reason === "interrupted" && !clock.signal.aborted) {
    throw new LocaltuneError({
      en: `the ladder was interrupted while training ${rung.id}; its run folder ${options.runDir} keeps the last checkpoint.`,
      ko: `${rung.id} 학습 중에 사다리가 중단되었습니다. 실행 폴더 ${options.runDir}에 마지막 체크포인트가 남아 있습니다.`,
    });
  }
  const records = RunFolder.open(options.runDir).readMetrics();
  const stepRecords = records.filter((r) => r.loss !== undefined);
  const last = stepRecords[stepRecords.length - 1];
  const trainSeconds = last?.elapsedSeconds ?? 0;
  const tokens = done.step * tokensPerStep;
  return {
    runDir: options.runDir,
    steps: done.step,
    trainableParams,
    trainSeconds,
    tokensPerSecond: trainSeconds > 0 ? tokens / trainSeconds : null,
    peakMemoryBytes: done.peakRssBytes,
    lossCurve: stepRecords.map((r) => ({ step: r.step, loss: r.loss!, tokens: r.step * tokensPerStep, seconds: r.elapsedSeconds })),
    recipe:
      `${done.step} steps x ${tokensPerStep} tokens (ctx ${options.ctx}, batch ${options.batch}), lr ${rung.lr} ${schedule}` +
      (options.precision && options.precision !== "f32" ? `, ${options.precision} products` : "") +
      (clock.signal.aborted ? "; stopped by the clock, so the run folder has the checkpoint but no exported model or adapter" : ""),
  };
}
