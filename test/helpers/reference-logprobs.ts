// The reference side of parity tests: next-token log-probabilities from llama.cpp itself, through node-llama-cpp's
// public API (probabilities, not raw logits: docs/engine-notes.md, "Reference log-probabilities"). Compare log-probabilities, which equal
// logits up to a per-position constant.
import type { LlamaContext, LlamaModel } from "node-llama-cpp";

/**
 * For each position of `tokens`, the log-probability of every vocabulary entry: [tokens.length][V]. A given context
 * (e.g. one with a LoRA adapter) is used as it is and left open; otherwise a plain F32 one is made and disposed.
 */
export async function referenceLogProbs(model: LlamaModel, tokens: readonly number[], nVocab: number, given?: LlamaContext): Promise<Float64Array[]> {
  const context = given ?? await model.createContext({
    contextSize: Math.max(32, tokens.length),
    batchSize: Math.max(32, tokens.length),
    threads: 2,
    // F32 KV cache and no flash attention: the default F16 cache rounds keys and values, which is not what we compare.
    flashAttention: false,
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32",
  });
  try {
    const sequence = context.getSequence();
    const sampling = { temperature: 1, topK: 0, topP: 1, minP: 0 };
    const results = await sequence.controlledEvaluate(
      tokens.map((token) => [token as never, { generateNext: { probabilities: true, options: sampling } }] as const) as never,
    );
    return results.map((result) => {
      const probabilities = (result as { next?: { probabilities?: Map<number, number> } } | undefined)?.next?.probabilities;
      if (!probabilities) throw new Error("node-llama-cpp returned no probabilities");
      const out = new Float64Array(nVocab).fill(-Infinity);
      for (const [token, p] of probabilities) out[token] = Math.log(p);
      return out;
    });
  } finally {
    if (!given) await context.dispose();
  }
}

/** Log-softmax of one row of logits, in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const lse = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - lse);
}

/**
 * Largest difference between our log-probabilities and the reference's, over tokens whose reference probability is
 * above `floor` (float32 probabilities lose relative precision near underflow), and the range of our logits there.
 */
export function compareLogProbs(ours: ArrayLike<number>, reference: Float64Array, floor = 1e-30): { maxDiff: number; logitRange: number } {
  const mine = logSoftmax(ours);
  let maxDiff = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < mine.length; i++) {
    lo = Math.min(lo, ours[i]!);
    hi = Math.max(hi, ours[i]!);
    if (Math.exp(reference[i]!) > floor) maxDiff = Math.max(maxDiff, Math.abs(mine[i]! - reference[i]!));
  }
  return { maxDiff, logitRange: hi - lo };
}
