// The training ladder as arithmetic: for each rung, the trainable parameters, the peak memory and the FLOPs per
// token, from the model's shape alone. Letters: B batch, T context, p virtual tokens, r LoRA rank, N matmul params.
import { attentionWidths, matmulParamsPerToken, type ModelShape } from "./model-shape.js";

export const RUNG_IDS = [
  "prompt-rag",
  "prompt-tuning",
  "prefix-tuning",
  "bitfit",
  "lora-r2",
  "lora-r16",
  "lora-r16-q8_0",
  "lora-r16-q4_K",
  "full-dapt",
] as const;
export type RungId = (typeof RUNG_IDS)[number];

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
}

export const DEFAULT_RUNG_OPTIONS: RungOptions = { ctx: 512, batch: 1, virtualTokens: 20 };

/** What one rung costs on one model, before any measurement. */
export interface RungEstimate {
  id: RungId;
  /** Ladder level of DESIGN.md (0 = nothing trained .. 4 = every weight). */
  level: 0 | 1 | 2 | 3 | 4;
  mode: ComputeMode;
  /** ggml type the frozen weights are held in during training ("f32" for full DAPT's master weights). */
  baseType: string;
  trainableParams: number;
  /** FLOPs per training token (for prompt-rag: per token of one forward pass over the data, e.g. to build an index). */
  flopsPerToken: number;
  memory: {
    /** Model weights as held in memory. */
    weights: number;
    /** Trainable parameters, their gradients and AdamW's two moments, all F32: 16 bytes per trainable parameter. */
    trainable: number;
    /** Forward tensors kept for the backward pass (or the KV cache and logits for inference). */
    activations: number;
    /** Sum of the three. */
    peak: number;
  };
}

// Bytes per weight of ggml's block formats: Q8_0 = 34 bytes per 32 values, Q4_K = 144 bytes per 256 (ggml-common.h).
const BYTES_PER_PARAM: Record<string, number> = { f32: 4, f16: 2, bf16: 2, q8_0: 34 / 32, q4_K: 144 / 256 };
const F32 = 4;
/** Trainable parameter + gradient + AdamW first and second moments, all F32. */
const TRAINABLE_BYTES = 4 * F32;

/** LoRA targets: all seven projections of a block (the QLoRA paper's finding that every linear layer matters). */
export function loraParams(s: ModelShape, rank: number): number {
  const { qDim, kvDim } = attentionWidths(s);
  const d = s.nEmbd;
  // A [in, r] and B [r, out] per matrix: r * (in + out).
  const perLayer = (d + qDim) + 2 * (d + kvDim) + (qDim + d) + 2 * (d + s.nFf) + (s.nFf + d);
  return s.nLayer * rank * perLayer;
}

/** BitFit: one bias on every projection output (zero-initialised where the architecture has none). */
export function bitfitParams(s: ModelShape): number {
  const { qDim, kvDim } = attentionWidths(s);
  return s.nLayer * (qDim + 2 * kvDim + s.nEmbd + 2 * s.nFf + s.nEmbd);
}

/** Prefix tuning: p trainable key and value vectors per layer (direct parametrisation, no reparametrising MLP). */
export function prefixParams(s: ModelShape, p: number): number {
  return s.nLayer * p * 2 * attentionWidths(s).kvDim;
}

/** Prompt tuning: p trainable input embeddings. */
export function promptTuningParams(s: ModelShape, p: number): number {
  return p * s.nEmbd;
}

/** Attention FLOPs of one token's forward pass with `keys` keys: QK^T and softmax(QK^T)V, 2 * keys * qDim each.
 *  ggml computes the full T x T score matrix and masks it (training cannot use flash attention, FINDINGS trap 8),
 *  so keys is the whole sequence, not the causal average. */
function attentionFlops(s: ModelShape, keys: number): number {
  return s.nLayer * 4 * keys * attentionWidths(s).qDim;
}

/** F32 values kept per token for the backward pass of one block with `keys` keys: 9d (residual, two norms with
 *  their scaled copies, attention and FFN outputs, two residual sums) + 4 qDim (q, roped q, attention output, its
 *  merged copy) + 3 kvDim (k, roped k, v) + 4f (gate, up, silu, product) + 3 H keys (scores, masked, softmax). */
function blockActivationValues(s: ModelShape, keys: number): number {
  const { qDim, kvDim } = attentionWidths(s);
  return 9 * s.nEmbd + 4 * qDim + 3 * kvDim + 4 * s.nFf + 3 * s.nHead * keys;
}

/** Training activations: every block's saved tensors, one block's gradients in flight, and the head: logits,
 *  softmax, dense labels (ggml's cross entropy takes label distributions, FINDINGS trap 9) and the logits' gradient. */
function trainingActivationBytes(s: ModelShape, o: RungOptions, tokens: number, keys: number): number {
  const perToken = (s.nLayer + 1) * blockActivationValues(s, keys) + 4 * s.nVocab + 2 * s.nEmbd;
  return o.batch * tokens * perToken * F32;
}

/** Inference memory besides weights: an F16 KV cache of T tokens and one batch of logits and block buffers. */
function inferenceActivationBytes(s: ModelShape, o: RungOptions): number {
  const kvCache = 2 * s.nLayer * o.ctx * attentionWidths(s).kvDim * 2;
  const buffers = o.ctx * (s.nVocab + blockActivationValues(s, o.ctx)) * F32;
  return kvCache + buffers;
}

/** Bytes of the model's weights if its matrices and embeddings were stored as `type` (norms and biases stay F32). */
function weightsAs(s: ModelShape, type: string): number {
  const rate = BYTES_PER_PARAM[type];
  if (rate === undefined || type === s.weightType) return s.weightBytes;
  const vectors = s.nLayer * 2 * s.nEmbd + s.nEmbd;
  return Math.round((s.totalParams - vectors) * rate + vectors * F32);
}

function estimate(
  id: RungId,
  level: RungEstimate["level"],
  mode: ComputeMode,
  baseType: string,
  trainableParams: number,
  flopsPerToken: number,
  weights: number,
  activations: number,
): RungEstimate {
  const trainable = mode === "full" ? 0 : trainableParams * TRAINABLE_BYTES;
  return {
    id,
    level,
    mode,
    baseType,
    trainableParams,
    flopsPerToken,
    memory: { weights, trainable, activations, peak: weights + trainable + activations },
  };
}

/** Every rung's arithmetic for one model. FLOP rules (per token, N = matmul parameters, A = attention FLOPs):
 *  forward 2N + A; full training 6N + 3A (backward = gradients of activations 2N + of weights 2N);
 *  frozen base 4N + 3A (activation gradients still flow through every layer) plus the trainable part's own cost. */
export function estimateRungs(s: ModelShape, o: RungOptions = DEFAULT_RUNG_OPTIONS): RungEstimate[] {
  const n = matmulParamsPerToken(s);
  const t = o.ctx;
  const p = o.virtualTokens;
  const base = s.weightType;
  const frozen = (keys: number) => 4 * n + 3 * attentionFlops(s, keys);
  const act = (tokens: number, keys: number) => trainingActivationBytes(s, o, tokens, keys);
  const lora = (rank: number, type: string, id: RungId, level: 2 | 3) => {
    const r = loraParams(s, rank);
    // The adapter's own matmuls: forward 2 r(in+out), backward 4 r(in+out) = 6 per adapter parameter.
    return estimate(id, level, "frozen", type, r, frozen(t) + 6 * r, weightsAs(s, type), act(t, t));
  };
  const pt = promptTuningParams(s, p);
  const bf = bitfitParams(s);
  return [
    estimate("prompt-rag", 0, "forward", base, 0, 2 * n + attentionFlops(s, t), s.weightBytes, inferenceActivationBytes(s, o)),
    // p virtual tokens lengthen every sequence: (T + p) / T more work per real token.
    estimate("prompt-tuning", 1, "frozen", base, pt, (frozen(t + p) * (t + p)) / t, s.weightBytes, act(t + p, t + p)),
    // The prefix adds p keys to every attention; the queries are still the T real tokens.
    estimate("prefix-tuning", 1, "frozen", base, prefixParams(s, p), frozen(t + p), s.weightBytes, act(t, t + p)),
    // A bias gradient is a sum over tokens: one add per bias value per token.
    estimate("bitfit", 1, "frozen", base, bf, frozen(t) + bf, s.weightBytes, act(t, t)),
    lora(2, base, "lora-r2", 2),
    lora(16, base, "lora-r16", 3),
    lora(16, "q8_0", "lora-r16-q8_0", 3),
    lora(16, "q4_K", "lora-r16-q4_K", 3),
    // Full DAPT trains F32 master weights: weight + gradient + two AdamW moments = 16 bytes per parameter.
    estimate("full-dapt", 4, "full", "f32", s.totalParams, 6 * n + 3 * attentionFlops(s, t),
      s.totalParams * TRAINABLE_BYTES, act(t, t)),
  ];
}
