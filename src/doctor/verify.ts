// `localtune doctor --verify`: a few real steps of three configurations through the real training path (child
// process, data, optimizer), against the planner's estimate from this machine's calibration: time per step and peak
// resident memory (the child's VmHWM from the done event).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeRandomModel } from "../engine/random-model.js";
import { GgmlType } from "../formats/gguf/index.js";
import { memoryLimitBytes } from "../engine/memory.js";
import { RunFolder, startTraining } from "../train/index.js";
import { chooseMemoryPlan } from "../train/plan.js";
import { estimateStepSeconds, type Backend, type CalibrationFile } from "./calibration.js";
import { readGgufModelShape } from "./gguf-shape.js";
import { forwardEstimate, fullEstimate, loraEstimate } from "./rungs.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const STORIES_MODEL = path.join(ROOT, "models/stories260K.gguf");
export const VERIFY_DATA = path.join(ROOT, "corpus/maple-hill/train.txt");

export interface VerifyConfig {
  name: string;
  method: "full" | "lora";
  /** LoRA rank (lora only). */
  rank?: number;
  /** GGUF path, or "mid-q8_0" for the random-weight mid-size model written on the fly. */
  model: string;
  ctx: number;
  batch: number;
  /** Train with --checkpoint-activations (the estimate adds the recomputed forward pass and uses the checkpointed
   *  memory plan). */
  checkpointActivations?: boolean;
}

/** The mid-size random-weight model: the engine spike's d 576 / ffn 1536 / 9 and 3 heads, 8 layers, Q8_0 weights,
 *  with stories260K's tokenizer (vocabulary 512) so the real data path can tokenize text for it. */
export const MID_MODEL = { arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, weightType: GgmlType.Q8_0, seed: 1 };

export const VERIFY_CONFIGS: readonly VerifyConfig[] = [
  { name: "full, stories260K", method: "full", model: "stories260K", ctx: 64, batch: 4 },
  { name: "LoRA r=8, stories260K", method: "lora", rank: 8, model: "stories260K", ctx: 64, batch: 4 },
  { name: "LoRA r=8, d576 x 8 layers, Q8_0", method: "lora", rank: 8, model: "mid-q8_0", ctx: 64, batch: 2 },
  { name: "LoRA r=8, d576 x 8, Q8_0, checkpointed", method: "lora", rank: 8, model: "mid-q8_0", ctx: 128, batch: 2, checkpointActivations: true },
];

export interface VerifyResult {
  config: VerifyConfig;
  threads: number;
  steps: number;
  /** Planner's seconds per step (null when the calibration lacks this mode / type / thread count). */
  estimatedStepSeconds: number | null;
  /** Median seconds of the steps after the first (warm-up). */
  measuredStepSeconds: number;
  estimatedPeakBytes: number;
  /** VmHWM of the training child. */
  measuredPeakBytes: number;
  /** The training loop's own plan, with the resident memory it measured before loading. */
  loopPlanBytes: number;
}

/** Relative error of an estimate against a measurement: (estimate - measured) / measured. */
export function relativeError(estimate: number, measured: number): number {
  return (estimate - measured) / measured;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs each configuration for `steps` optimizer steps at `threads` and compares it with the estimate. */
export async function runVerify(options: {
  calibration: CalibrationFile;
  backend: Backend;
  threads: number;
  steps?: number;
  configs?: readonly VerifyConfig[];
  onProgress?: (line: string) => void;
}): Promise<VerifyResult[]> {
  const steps = options.steps ?? 8;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-verify-"));
  const results: VerifyResult[] = [];
  try {
    for (const config of options.configs ?? VERIFY_CONFIGS) {
      let model = STORIES_MODEL;
      if (config.model === "mid-q8_0") {
        model = path.join(dir, "mid-q8_0.gguf");
        if (!fs.existsSync(model)) await writeRandomModel(model, { ...MID_MODEL, vocabFile: STORIES_MODEL });
      } else if (config.model !== "stories260K") {
        model = config.model;
      }
      const shape = await readGgufModelShape(model);
      const o = { ctx: config.ctx, batch: config.batch, virtualTokens: 0, runtimeBytes: options.calibration.runtimeBytes };
      const estimate = config.method === "full" ? fullEstimate(shape, o) : loraEstimate(shape, o, config.rank ?? 8, shape.weightType);
      const tokens = config.ctx * config.batch;
      const query = { backend: options.backend, threads: options.threads, baseType: estimate.baseType, nLayer: shape.nLayer, trainableParams: estimate.trainableParams };
      const trainStep = estimateStepSeconds(options.calibration, { ...query, mode: estimate.mode, flops: estimate.flopsPerToken * tokens });
      // Checkpointing recomputes every block's forward pass once more.
      const recompute = config.checkpointActivations ? estimateStepSeconds(options.calibration, { ...query, mode: "forward", flops: forwardEstimate(shape, o).flopsPerToken * tokens }) : { seconds: 0 };
      const step = trainStep && recompute ? { seconds: trainStep.seconds + recompute.seconds } : null;
      // The run checkpoints by the loop's own rule (asked for, or only the checkpointed plan fits): estimate that run.
      const plannedMemory = chooseMemoryPlan(estimate.memory, estimate.checkpointedMemory!, config.checkpointActivations ?? false, memoryLimitBytes()).memoryPlan;
      options.onProgress?.(`verify: ${config.name}, ${steps} steps at ${options.threads} thread(s)`);
      let loopPlanBytes = 0;
      const { runDir, done } = await startTraining(
        {
          method: config.method,
          methodOptions: config.method === "lora" ? { rank: config.rank ?? 8 } : {},
          model,
          data: [VERIFY_DATA],
          out: path.join(dir, `run-${results.length}`),
          steps,
          ctx: config.ctx,
          batch: config.batch,
          checkpointActivations: config.checkpointActivations ?? false,
          threads: options.threads,
          evalEvery: 0,
          saveEvery: 0,
        },
        { onEvent: (e) => { if (e.type === "start") loopPlanBytes = e.memoryPlan.totalBytes; } },
      );
      const perStep = RunFolder.open(runDir)
        .readMetrics()
        .filter((r) => r.tokensPerSecond !== undefined && r.step !== undefined && r.step > 1)
        .map((r) => (config.ctx * config.batch) / r.tokensPerSecond!);
      results.push({
        config,
        threads: options.threads,
        steps,
        estimatedStepSeconds: step?.seconds ?? null,
        measuredStepSeconds: median(perStep),
        estimatedPeakBytes: plannedMemory.totalBytes,
        measuredPeakBytes: done.peakRssBytes,
        loopPlanBytes,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
