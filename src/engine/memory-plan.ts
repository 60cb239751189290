// Memory of a training run, estimated from the model's shapes before anything is allocated: weights, gradients,
// AdamW moments and the activations the backward pass keeps. The trainer reports the measured compute buffers so
// the estimate can be checked against them.
import type { ModelHparams } from "../arch/hparams.js";

export interface TrainingMemoryPlan {
  weightBytes: number;
  /** Gradient accumulators: 4 bytes per trainable parameter. */
  gradientBytes: number;
  /** AdamW first and second moments: 8 bytes per trainable parameter. */
  optimizerBytes: number;
  /** Activations kept for the backward pass and their gradients, for one micro-batch. */
  activationBytes: number;
  totalBytes: number;
}

export function planTrainingMemory(hp: ModelHparams, weightBytes: number, trainableParams: number, sequenceLength: number, batchSize: number): TrainingMemoryPlan {
  const N = sequenceLength * batchSize;
  const kv = hp.headDim * hp.nHeadKv;
  const q = hp.headDim * hp.nHead;
  // Per token and layer, forward values the backward pass reads (norm outputs, q/k/v before and after RoPE and
  // their head-major copies, attention output, ffn gate/up/activation) plus the attention scores and softmax
  // (2 x H x T), doubled for their gradients. Per token at the head: logits, probabilities and their gradient.
  const perLayer = 4 * hp.nEmbd + 3 * q + 4 * kv + 4 * hp.nFf + 2 * hp.nHead * sequenceLength;
  const activationFloats = N * (hp.nLayer * 2 * perLayer + 3 * hp.nVocab);
  const gradientBytes = 4 * trainableParams;
  const optimizerBytes = 8 * trainableParams;
  const activationBytes = 4 * activationFloats;
  return { weightBytes, gradientBytes, optimizerBytes, activationBytes, totalBytes: weightBytes + gradientBytes + optimizerBytes + activationBytes };
}
