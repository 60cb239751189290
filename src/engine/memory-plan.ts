// Memory of a training run (and of inference), estimated from the model's shapes before anything is allocated. One
// function serves the training loop (which refuses runs that do not fit) and `localtune doctor` (which plans them).
// Components: the process itself, weights, gradients, AdamW moments and ggml's compute buffers. Shape letters as in
// src/arch/shape.ts.
import { findArchitecture } from "../arch/registry.js";
import { attentionWidths, type DecoderShape } from "../arch/shape.js";
import { headRangeTokens } from "./checkpointed-pass.js";
import { TRANSPOSE_CHUNK_BYTES } from "./out-prod-rewrite.js";

const F32 = 4;

export interface TrainingMemoryInput {
  /** The model's sizes: ModelHparams and the doctor's ModelShape both are one. */
  shape: DecoderShape;
  /** Bytes of the weights as held while training (F32 when every weight trains, else as stored). */
  weightBytes: number;
  trainableParams: number;
  /** Every weight trains (full fine-tuning): the embedding and head gradients pass through the graph. */
  fullTraining: boolean;
  /** T: tokens per sequence. */
  sequenceLength: number;
  /** B: sequences per micro-batch. */
  batchSize: number;
  /** Prompt tuning: trainable positions prepended to every sequence (they are queries and keys). */
  virtualTokens?: number;
  /** Prefix tuning: trainable keys/values every query also sees. */
  prefixTokens?: number;
  /** The frozen matrices are F16 or quantized: the backward transposes them through F32 into BF16 (out-prod-rewrite.ts). */
  compactFrozenWeights?: boolean;
  /** Activation checkpointing (checkpointed-pass.ts): one block's activations at a time plus every block's input. */
  checkpointActivations?: boolean;
  /** Resident bytes of the process before the model loads (Node, ggml, llama.cpp); 0 to leave it out. */
  runtimeBytes: number;
}

export interface TrainingMemoryPlan {
  /** Resident memory of the process before the model loads. */
  runtimeBytes: number;
  weightBytes: number;
  /** Values of trainable tensors created beside the weights (adapters, prompts): 4 bytes per parameter; 0 when the
   *  weights themselves train. */
  trainableValueBytes: number;
  /** Gradient accumulators: 4 bytes per trainable parameter. */
  gradientBytes: number;
  /** AdamW first and second moments: 8 bytes per trainable parameter. */
  optimizerBytes: number;
  /** ggml compute buffers: the forward/backward graph, the optimizer graph and the validation graph. */
  activationBytes: number;
  /** Expected peak resident memory: the sum of the above. */
  totalBytes: number;
}

/** F32 values one block keeps per position for its backward pass, with `keys` keys per query: what ggml's backward
 *  reads (mul_mat inputs, rms_norm inputs, softmax outputs, SwiGLU factors): 6E (two residual inputs, two norm outputs,
 *  two normed copies) + 2HD (roped queries, merged attention output) + 2KD (roped keys, values) + 3F (gate, up and
 *  their product: ggml's one SwiGLU op recomputes silu(gate) in its backward; GeGLU's composed GELU keeps a fourth)
 *  + H x keys (softmax). Checked against ggml's allocator in memory-plan.test.ts. */
export function blockActivationValues(s: DecoderShape, keys: number): number {
  const { qDim, kvDim } = attentionWidths(s);
  const ffnValues = findArchitecture(s.arch).block.ffnActivation === "gelu" ? 4 : 3;
  return 6 * s.nEmbd + 2 * qDim + 2 * kvDim + ffnValues * s.nFf + s.nHead * keys;
}

/** Peak memory of training one micro-batch of B x T tokens and its optimizer step. */
export function planTrainingMemory(input: TrainingMemoryInput): TrainingMemoryPlan {
  const s = input.shape;
  const T = input.sequenceLength;
  const B = input.batchSize;
  const p = input.virtualTokens ?? 0;
  const rows = T + p;
  const keys = rows + (input.prefixTokens ?? 0);
  const { qDim } = attentionWidths(s);
  // Forward values kept for the backward pass, then the gradients in flight at the head (logits and their gradient)
  // and through the widest block tensors; only real tokens reach the head.
  const head = B * T * (2 * s.nVocab + 4 * s.nEmbd + 2 * s.nFf);
  // Checkpointed, the head runs in token ranges, one graph each (checkpointed-pass.ts).
  const headRange = Math.min(B * T, headRangeTokens(s.nVocab)) * (2 * s.nVocab + 4 * s.nEmbd + 2 * s.nFf);
  // The backward of one block also holds the attention scores' gradient (H x keys).
  const inFlight = B * rows * (4 * s.nEmbd + 2 * s.nFf + s.nHead * keys);
  // Checkpointed: the residual stream entering every block (L + 1 tensors) and two of its gradients persist; the
  // graphs share one buffer sized for the largest (one block with its backward, or one token range of the head).
  const graph = input.checkpointActivations
    ? (s.nLayer + 3) * B * rows * s.nEmbd + Math.max(B * rows * blockActivationValues(s, keys) + inFlight, headRange)
    : B * rows * s.nLayer * blockActivationValues(s, keys) + head;
  // Full training materialises the [E, V] gradients of token_embd and output inside the graph before accumulating.
  const weightGradients = input.fullTraining ? 2 * s.nVocab * s.nEmbd : 0;
  // The optimizer graph's clipped-gradient temporary is the size of the largest trainable tensor.
  const largest = input.fullTraining ? Math.max(s.nVocab * s.nEmbd, s.nFf * s.nEmbd, qDim * s.nEmbd) : input.trainableParams;
  // Validation: a forward graph whose largest buffers are the logits.
  const validation = B * T * (s.nVocab + 4 * s.nEmbd);
  const activationBytes = F32 * (graph + weightGradients + largest + validation) + transposeBytes(input);
  const trainableValueBytes = input.fullTraining ? 0 : F32 * input.trainableParams;
  const gradientBytes = F32 * input.trainableParams;
  const optimizerBytes = 2 * F32 * input.trainableParams;
  return {
    runtimeBytes: input.runtimeBytes,
    weightBytes: input.weightBytes,
    trainableValueBytes,
    gradientBytes,
    optimizerBytes,
    activationBytes,
    totalBytes: input.runtimeBytes + input.weightBytes + trainableValueBytes + gradientBytes + optimizerBytes + activationBytes,
  };
}

/** The backward's transposes (out-prod-rewrite.ts) alive at once: the weight being transposed (at most one block of
 *  TRANSPOSE_CHUNK_BYTES in F32, plus its BF16 copy for a compact base) with the matching rows of dY, and in full
 *  training the transposed logits gradient for the head's weight gradient. */
function transposeBytes(input: TrainingMemoryInput): number {
  const s = input.shape;
  const N = input.sequenceLength * input.batchSize;
  const largestMatrix = F32 * Math.max(s.nVocab * s.nEmbd, s.nFf * s.nEmbd, s.nHead * s.headDim * s.nEmbd);
  const block = Math.min(TRANSPOSE_CHUNK_BYTES, largestMatrix);
  const weight = block * (input.compactFrozenWeights && !input.fullTraining ? 1.5 : 1);
  const gradientRows = F32 * N * Math.floor(block / (F32 * s.nEmbd));
  const headGradient = input.fullTraining ? F32 * N * s.nVocab : 0;
  return weight + gradientRows + headGradient;
}

/** Memory of inference besides the weights: an F16 KV cache of `ctx` tokens and one batch of logits and block buffers. */
export function inferenceActivationBytes(s: DecoderShape, ctx: number): number {
  const kvCache = 2 * s.nLayer * ctx * attentionWidths(s).kvDim * 2;
  const buffers = ctx * (s.nVocab + blockActivationValues(s, ctx)) * F32;
  return kvCache + buffers;
}
