// The training ladder as arithmetic: for each rung, the trainable parameters, the peak memory and the FLOPs per
// token, from the model's shape alone. Each registered method declares its rungs' formulas (methods/<name>/doctor.ts);
// this file turns them into memory and time. Letters: B batch, T context, p virtual tokens, N matmul params.
import { inferenceActivationBytes, planTrainingMemory, type TrainingMemoryPlan } from "../engine/memory-plan.js";
import { loraFormula } from "../methods/lora/doctor.js";
import { findMethod, methodsInLadderOrder } from "../methods/registry.js";
import type { DoctorFormula } from "../methods/types.js";
import { attentionWidths, matmulParamsPerToken, type ModelShape } from "./model-shape.js";

/** A rung's id in the doctor's table: "prompt-rag", or one a method declares (e.g. "lora-r16-q8_0"). */
export type RungId = string;

/** Every rung id in ladder order: prompts and RAG, then each registered method's doctor rungs. */
export function rungIds(): RungId[] {
  return ["prompt-rag", ...methodsInLadderOrder().flatMap((m) => m.doctorFormulas.map((f) => f.id))];
}

/** Which calibrated throughput a rung's time comes from: inference only, backward through a frozen base, or all weights. */
export type ComputeMode = "forward" | "frozen" | "full";

/** Options of the arithmetic; the CLI fills them from flags. */
export interface RungOptions {
  /** T: tokens per training sequence. */
  ctx: number;
  /** B: sequences in one forward/backward pass (a micro-batch; gradient accumulation makes larger batches without
   *  more memory). */
  batch: number;
  /** p: virtual tokens of prompt tuning and prefix tuning. */
  virtualTokens: number;
  /** Resident memory of the training process before the model loads (measured by calibration). */
  runtimeBytes: number;
}

/** What a Node process with ggml and llama.cpp loaded holds before any model, until calibration measures it on this
 *  machine (about 150-200 MiB on Linux x64 with node-llama-cpp 3.21). */
export const ASSUMED_RUNTIME_BYTES = 200 * 2 ** 20;

export const DEFAULT_RUNG_OPTIONS: RungOptions = { ctx: 512, batch: 1, virtualTokens: 20, runtimeBytes: ASSUMED_RUNTIME_BYTES };

/** What one rung costs on one model, before any measurement. */
export interface RungEstimate {
  id: RungId;
  /** The registered method that trains in this rung (absent for prompt-rag). */
  method?: string;
  /** Ladder level (docs/engine-notes.md, "The ladder of methods": 0 = nothing trained .. 4 = every weight). */
  level: 0 | 1 | 2 | 3 | 4;
  mode: ComputeMode;
  /** ggml type the frozen weights are held in during training ("f32" for full DAPT's master weights). */
  baseType: string;
  trainableParams: number;
  /** FLOPs per training token (for prompt-rag: per token of one forward pass over the data, e.g. to build an index). */
  flopsPerToken: number;
  /** Peak memory from the engine's own plan (src/engine/memory-plan.ts), the one the training loop checks; for
   *  prompt-rag, the inference KV cache and buffers as activations. totalBytes is the expected peak. */
  memory: TrainingMemoryPlan;
  /** The same training with --checkpoint-activations (training rungs only). */
  checkpointedMemory?: TrainingMemoryPlan;
}

// Bytes per weight of ggml's block formats: Q8_0 = 34 bytes per 32 values, Q4_K = 144 bytes per 256 (ggml-common.h).
const BYTES_PER_PARAM: Record<string, number> = { f32: 4, f16: 2, bf16: 2, q8_0: 34 / 32, q4_K: 144 / 256 };
const F32 = 4;

/** Attention FLOPs of one token's forward pass with `keys` keys: QK^T and softmax(QK^T)V, 2 * keys * qDim each.
 *  ggml computes the full T x T score matrix and masks it (training cannot use flash attention: docs/engine-notes.md, "Causal mask ops with backward"),
 *  so keys is the whole sequence, not the causal average. */
function attentionFlops(s: ModelShape, keys: number): number {
  return s.nLayer * 4 * keys * attentionWidths(s).qDim;
}

/** Bytes of the model's weights if its matrices and embeddings were stored as `type` (norms and biases stay F32). */
function weightsAs(s: ModelShape, type: string): number {
  const rate = BYTES_PER_PARAM[type];
  if (rate === undefined || type === s.weightType) return s.weightBytes;
  const vectors = s.nLayer * 2 * s.nEmbd + s.nEmbd;
  return Math.round((s.totalParams - vectors) * rate + vectors * F32);
}

/** The memory of one rung: the engine's training plan, with the sequence lengthened or keys added where the rung does. */
function trainingMemory(
  s: ModelShape,
  o: RungOptions,
  weightBytes: number,
  trainableParams: number,
  extra: { fullTraining?: boolean; virtualTokens?: number; prefixTokens?: number; checkpointActivations?: boolean } = {},
): TrainingMemoryPlan {
  return planTrainingMemory({
    shape: s,
    weightBytes,
    trainableParams,
    fullTraining: extra.fullTraining ?? false,
    sequenceLength: o.ctx,
    batchSize: o.batch,
    virtualTokens: extra.virtualTokens,
    prefixTokens: extra.prefixTokens,
    compactFrozenWeights: weightBytes < F32 * s.totalParams,
    checkpointActivations: extra.checkpointActivations,
    runtimeBytes: o.runtimeBytes,
  });
}

/** A training rung's memory without and with activation checkpointing. */
function trainingMemories(...args: Parameters<typeof trainingMemory>): [TrainingMemoryPlan, TrainingMemoryPlan] {
  const [s, o, weightBytes, trainableParams, extra = {}] = args;
  return [trainingMemory(s, o, weightBytes, trainableParams, extra), trainingMemory(s, o, weightBytes, trainableParams, { ...extra, checkpointActivations: true })];
}

function inferenceMemory(s: ModelShape, o: RungOptions): TrainingMemoryPlan {
  const activationBytes = o.batch * inferenceActivationBytes(s, o.ctx);
  return {
    runtimeBytes: o.runtimeBytes,
    weightBytes: s.weightBytes,
    trainableValueBytes: 0,
    gradientBytes: 0,
    optimizerBytes: 0,
    activationBytes,
    totalBytes: o.runtimeBytes + s.weightBytes + activationBytes,
  };
}

function estimate(
  id: RungId,
  level: RungEstimate["level"],
  mode: ComputeMode,
  baseType: string,
  trainableParams: number,
  flopsPerToken: number,
  memory: TrainingMemoryPlan,
  checkpointedMemory?: TrainingMemoryPlan,
): RungEstimate {
  return { id, level, mode, baseType, trainableParams, flopsPerToken, memory, ...(checkpointedMemory ? { checkpointedMemory } : {}) };
}

/** FLOPs of one token's forward pass, and of a training step through a frozen base with `keys` keys. */
function flopRules(s: ModelShape) {
  const n = matmulParamsPerToken(s);
  return {
    forward: (keys: number) => 2 * n + attentionFlops(s, keys),
    frozen: (keys: number) => 4 * n + 3 * attentionFlops(s, keys),
    full: (keys: number) => 6 * n + 3 * attentionFlops(s, keys),
  };
}

/** One method rung from its formula. FLOP rules (per token, N = matmul parameters, A = attention FLOPs):
 *  full training 6N + 3A (backward = gradients of activations 2N + of weights 2N); frozen base 4N + 3A (activation
 *  gradients still flow through every layer); plus the trainable part's own flopsPerParam per parameter. */
export function formulaEstimate(s: ModelShape, o: RungOptions, f: DoctorFormula, method?: string): RungEstimate {
  const t = o.ctx;
  const p = o.virtualTokens;
  const n = f.trainableParams(s, p);
  const rules = flopRules(s);
  const named = (r: RungEstimate): RungEstimate => (method === undefined ? r : { ...r, method });
  if (f.compute === "full") {
    // F32 master weights plus a gradient and two AdamW moments, 16 bytes per parameter.
    return named(estimate(f.id, f.level, "full", "f32", n, rules.full(t) + f.flopsPerParam * n, ...trainingMemories(s, o, F32 * s.totalParams, n, { fullTraining: true })));
  }
  const baseType = f.baseType ?? s.weightType;
  const weightBytes = weightsAs(s, baseType);
  const own = f.flopsPerParam * n;
  if (f.extraPositions === "virtual-tokens") {
    // p virtual tokens lengthen every sequence: (T + p) / T more work per real token.
    return named(estimate(f.id, f.level, "frozen", baseType, n, (rules.frozen(t + p) * (t + p)) / t + own, ...trainingMemories(s, o, weightBytes, n, { virtualTokens: p })));
  }
  if (f.extraPositions === "prefix-keys") {
    // The prefix adds p keys to every attention; the queries are still the T real tokens.
    return named(estimate(f.id, f.level, "frozen", baseType, n, rules.frozen(t + p) + own, ...trainingMemories(s, o, weightBytes, n, { prefixTokens: p })));
  }
  return named(estimate(f.id, f.level, "frozen", baseType, n, rules.frozen(t) + own, ...trainingMemories(s, o, weightBytes, n)));
}

/** LoRA of `rank` on all seven projections of a base held as `type` (calibration and verify plan with it too). */
export function loraEstimate(s: ModelShape, o: RungOptions, rank: number, type: string, id: RungId = "lora-r16", level: 2 | 3 = 3): RungEstimate {
  return formulaEstimate(s, o, loraFormula(id, rank, level, type), "lora");
}

/** Full fine-tuning: every weight trains. */
export function fullEstimate(s: ModelShape, o: RungOptions): RungEstimate {
  const full = findMethod("full");
  return formulaEstimate(s, o, full.doctorFormulas[0]!, full.name);
}

/** One forward pass over the data (prompts / RAG: nothing trains). */
export function forwardEstimate(s: ModelShape, o: RungOptions): RungEstimate {
  return estimate("prompt-rag", 0, "forward", s.weightType, 0, flopRules(s).forward(o.ctx), inferenceMemory(s, o));
}

/** Every rung's arithmetic for one model: one forward pass (prompts, RAG), then each registered method's rungs in
 *  ladder order. */
export function estimateRungs(s: ModelShape, o: RungOptions = DEFAULT_RUNG_OPTIONS): RungEstimate[] {
  return [forwardEstimate(s, o), ...methodsInLadderOrder().flatMap((m) => m.doctorFormulas.map((f) => formulaEstimate(s, o, f, m.name)))];
}
