// Picks the next token from logits for the engine generation path, with the semantics of node-llama-cpp's sampler
// chain (llama.cpp's samplers in its order): repeat penalties, then greedy, or top-k, top-p, min-p, temperature and a
// seeded draw. The draws are deterministic per seed, but not the same numbers as llama.cpp's mt19937.
import type { Sampling } from "./sampling.js";

/** Tokens the repeat penalty looks back over (node-llama-cpp's default lastTokens). */
export const PENALTY_WINDOW = 64;

export interface TokenSamplerOptions {
  /** The newline token: node-llama-cpp leaves it out of the repeat penalty (penalizeNewLine off). */
  newlineToken?: number;
}

export class TokenSampler {
  private readonly random: () => number;
  private readonly history: number[] = [];

  constructor(
    readonly sampling: Sampling,
    private readonly options: TokenSamplerOptions = {},
  ) {
    this.random = seededRandom(sampling.seed);
  }

  /** Records a generated token for the repeat penalty. */
  accept(token: number): void {
    this.history.push(token);
  }

  /** The next token for these logits (not modified). */
  sample(logits: Float32Array): number {
    const s = this.sampling;
    const scores = this.penalize(logits);
    if (s.temperature <= 0) return argmax(scores);
    let candidates = topCandidates(scores, s.topK > 0 ? Math.min(s.topK, scores.length) : scores.length, s.minP);
    candidates = topP(candidates, s.topP);
    candidates = minP(candidates, s.minP);
    return this.draw(candidates, s.temperature);
  }

  /** llama.cpp's penalties: a seen token's logit is divided by the penalty (multiplied when negative), then lowered
   * by frequency x count and presence. Counts are over the last PENALTY_WINDOW generated tokens, newlines excluded. */
  private penalize(logits: Float32Array): Float32Array {
    const { repeatPenalty, frequencyPenalty, presencePenalty } = this.sampling;
    if (repeatPenalty === 1 && frequencyPenalty === 0 && presencePenalty === 0) return logits;
    const counts = new Map<number, number>();
    for (const token of this.history.slice(-PENALTY_WINDOW)) {
      if (token !== this.options.newlineToken) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    if (counts.size === 0) return logits;
    const out = logits.slice();
    for (const [token, count] of counts) {
      const logit = out[token];
      if (logit === undefined) continue;
      const repeated = logit <= 0 ? logit * repeatPenalty : logit / repeatPenalty;
      out[token] = repeated - count * frequencyPenalty - presencePenalty;
    }
    return out;
  }

  /** Softmax of logits / temperature over the candidates, then one draw. */
  private draw(candidates: Candidates, temperature: number): number {
    const { ids, logits } = candidates;
    const top = logits[0]! / temperature;
    const weights = logits.map((l) => Math.exp(l / temperature - top));
    let total = 0;
    for (const w of weights) total += w;
    let u = this.random() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return ids[i]!;
    }
    return ids[ids.length - 1]!;
  }
}

/** Candidate tokens sorted by logit (highest first), with the softmax normalizer over the whole candidate set. */
interface Candidates {
  ids: number[];
  logits: number[];
  /** Sum of exp(logit - logits[0]) over every candidate, also those not listed (beyond the min-p cut). */
  total: number;
}

/**
 * The k highest logits, sorted. Only tokens that min-p could keep are sorted (min-p keeps a prefix of the sorted
 * order, so the rest can never be drawn), but the normalizer covers all k, as top-p's cumulative sum needs.
 */
function topCandidates(scores: Float32Array, k: number, minProbability: number): Candidates {
  const max = scores[argmax(scores)]!;
  let pool: number[];
  if (k < scores.length) {
    const threshold = kthLargest(scores, k);
    pool = [];
    for (let i = 0; i < scores.length && pool.length < k; i++) if (scores[i]! > threshold) pool.push(i);
    for (let i = 0; i < scores.length && pool.length < k; i++) if (scores[i] === threshold) pool.push(i);
  } else {
    pool = Array.from({ length: scores.length }, (_, i) => i);
  }
  let total = 0;
  for (const i of pool) total += Math.exp(scores[i]! - max);
  const floor = minProbability > 0 ? max + Math.log(minProbability) : -Infinity;
  const kept = pool.filter((i) => scores[i]! >= floor).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { ids: kept, logits: kept.map((i) => scores[i]!), total };
}

/** llama.cpp's top-p: the shortest prefix whose probability reaches p (at least one token); p >= 1 keeps all. */
function topP(c: Candidates, p: number): Candidates {
  if (p >= 1) return c;
  const top = c.logits[0]!;
  let cumulative = 0;
  for (let i = 0; i < c.ids.length; i++) {
    cumulative += Math.exp(c.logits[i]! - top) / c.total;
    if (cumulative >= p) return { ids: c.ids.slice(0, i + 1), logits: c.logits.slice(0, i + 1), total: c.total };
  }
  return c;
}

/** llama.cpp's min-p: drop tokens less likely than p times the most likely one (at least one token stays). */
function minP(c: Candidates, p: number): Candidates {
  if (p <= 0) return c;
  const floor = c.logits[0]! + Math.log(p);
  let n = 1;
  while (n < c.ids.length && c.logits[n]! >= floor) n++;
  return { ids: c.ids.slice(0, n), logits: c.logits.slice(0, n), total: c.total };
}

/** Index of the highest value; the first one on ties (as llama.cpp's greedy sampler). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The k-th largest value (k >= 1) by quickselect on a copy: O(n) on average, no full sort of the vocabulary. */
function kthLargest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/** xoshiro128** with its state from a hash of the seed: uniform numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0;
  const next32 = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [next32(), next32(), next32(), next32()];
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2] = (s[2]! ^ s[0]!) >>> 0;
    s[3] = (s[3]! ^ s[1]!) >>> 0;
    s[1] = (s[1]! ^ s[2]!) >>> 0;
    s[0] = (s[0]! ^ s[3]!) >>> 0;
    s[2] = (s[2]! ^ t) >>> 0;
    s[3] = rotl(s[3]!, 11);
    return result / 2 ** 32;
  };
}
