// The engine path's sampler against values worked out by hand from llama.cpp's sampler definitions, and draw
// frequencies against the expected distribution.
import { describe, expect, it } from "vitest";
import { resolveSampling, type SamplingInput } from "./sampling.js";
import { argmax, seededRandom, TokenSampler } from "./token-sampler.js";

const sampler = (input: SamplingInput, newlineToken?: number) =>
  new TokenSampler(resolveSampling({ seed: 1, ...input }), newlineToken === undefined ? {} : { newlineToken });

/** Relative frequency of each token over `n` draws. */
function frequencies(s: TokenSampler, logits: Float32Array, n: number): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[s.sample(logits)]!++;
  return counts.map((c) => c / n);
}

// Probabilities 0.5, 0.3, 0.15, 0.05 as logits (softmax is shift-invariant).
const LOGITS = Float32Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));

describe("TokenSampler", () => {
  it("temperature 0 is argmax, the first index on ties", () => {
    expect(sampler({ temperature: 0 }).sample(Float32Array.of(1, 5, 3, 5))).toBe(1);
    expect(argmax([-3, -1, -1])).toBe(1);
  });

  it("repeat penalty: a seen positive logit is divided, a negative one multiplied (llama.cpp penalties)", () => {
    const s = sampler({ temperature: 0, repeatPenalty: 2 });
    s.accept(0);
    // 4 / 2 = 2 < 3: token 1 wins now. Token 2's -1 would become -2 if seen; unseen, it stays.
    expect(s.sample(Float32Array.of(4, 3, -1))).toBe(1);
    const negative = sampler({ temperature: 0, repeatPenalty: 1.5 });
    negative.accept(0);
    // -1 * 1.5 = -1.5 < -1.2: token 1 wins.
    expect(negative.sample(Float32Array.of(-1, -1.2))).toBe(1);
  });

  it("frequency and presence penalties subtract count x frequency + presence", () => {
    const s = sampler({ temperature: 0, frequencyPenalty: 0.5, presencePenalty: 0.25 });
    s.accept(0);
    s.accept(0);
    // 2 - 2 * 0.5 - 0.25 = 0.75 < 0.8
    expect(s.sample(Float32Array.of(2, 0.8))).toBe(1);
    const t = sampler({ temperature: 0, frequencyPenalty: 0.5, presencePenalty: 0.25 });
    t.accept(0);
    // 2 - 0.5 - 0.25 = 1.25 > 0.8
    expect(t.sample(Float32Array.of(2, 0.8))).toBe(0);
  });

  it("the penalty looks back 64 tokens and skips the newline token", () => {
    const s = sampler({ temperature: 0, repeatPenalty: 4 }, 7);
    s.accept(0);
    for (let i = 0; i < 64; i++) s.accept(7);
    // Token 0 left the window; 7 is newline: neither is penalised.
    const logits = new Float32Array(8);
    logits[0] = 3;
    logits[7] = 2;
    logits[1] = 1;
    expect(s.sample(logits)).toBe(0);
    const inWindow = sampler({ temperature: 0, repeatPenalty: 4 }, 7);
    inWindow.accept(0);
    expect(inWindow.sample(logits)).toBe(7);
  });

  it("top-k 1 is greedy whatever the temperature", () => {
    const s = sampler({ temperature: 2, topK: 1, topP: 1, minP: 0 });
    for (let i = 0; i < 50; i++) expect(s.sample(LOGITS)).toBe(0);
  });

  it("no filter at temperature 1 draws with the softmax probabilities", () => {
    const f = frequencies(sampler({ temperature: 1, topK: 0, topP: 1, minP: 0 }), LOGITS, 40_000);
    [0.5, 0.3, 0.15, 0.05].forEach((p, i) => expect(Math.abs(f[i]! - p)).toBeLessThan(0.01));
  });

  it("top-p 0.8 keeps the shortest prefix reaching 0.8 (0.5 + 0.3) and renormalises: 5/8, 3/8", () => {
    const f = frequencies(sampler({ temperature: 1, topK: 0, topP: 0.8, minP: 0 }), LOGITS, 40_000);
    expect(Math.abs(f[0]! - 0.625)).toBeLessThan(0.01);
    expect(Math.abs(f[1]! - 0.375)).toBeLessThan(0.01);
    expect(f[2]! + f[3]!).toBe(0);
  });

  it("min-p 0.25 drops tokens below 0.25 x 0.5 = 0.125 (only 0.05 goes)", () => {
    const f = frequencies(sampler({ temperature: 1, topK: 0, topP: 1, minP: 0.25 }), LOGITS, 40_000);
    expect(f[3]).toBe(0);
    [0.5, 0.3, 0.15].forEach((p, i) => expect(Math.abs(f[i]! - p / 0.95)).toBeLessThan(0.01));
  });

  it("top-k 2 keeps the two best; temperature 2 flattens them after filtering: sqrt(.5) : sqrt(.3)", () => {
    const f = frequencies(sampler({ temperature: 2, topK: 2, topP: 1, minP: 0 }), LOGITS, 40_000);
    const a = Math.sqrt(0.5);
    const b = Math.sqrt(0.3);
    expect(Math.abs(f[0]! - a / (a + b))).toBeLessThan(0.01);
    expect(f[2]! + f[3]!).toBe(0);
  });

  it("top-p sums over the top-k set, not over the whole vocabulary", () => {
    // With top-k 3 the probabilities are .5/.95, .3/.95, .15/.95; top-p 0.8 needs .526 + .316 = .842: two tokens.
    const f = frequencies(sampler({ temperature: 1, topK: 3, topP: 0.8, minP: 0 }), LOGITS, 20_000);
    expect(f[2]! + f[3]!).toBe(0);
    expect(f[1]!).toBeGreaterThan(0.3);
  });

  it("the same seed gives the same draws, another seed others", () => {
    const draws = (seed: number) => {
      const s = new TokenSampler(resolveSampling({ temperature: 1, topK: 0, topP: 1, minP: 0, seed }));
      return Array.from({ length: 64 }, () => s.sample(LOGITS)).join(",");
    };
    expect(draws(42)).toBe(draws(42));
    expect(draws(43)).not.toBe(draws(42));
    const r = seededRandom(0);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("top-k on a large vocabulary selects exactly the k best, ties included", () => {
    const logits = new Float32Array(5000);
    for (let i = 0; i < logits.length; i++) logits[i] = Math.sin(i * 12.9898) * 0.5;
    const best = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]!).slice(0, 5);
    const s = sampler({ temperature: 5, topK: 5, topP: 1, minP: 0 });
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(s.sample(logits));
    expect([...seen].sort((a, b) => a - b)).toEqual(best.sort((a, b) => a - b));
  });
});
