import { describe, expect, it } from "vitest";
import { logProbability, planWindows } from "./perplexity.js";

describe("planWindows", () => {
  it("disjoint windows score every token but the first of each window after the first", () => {
    // 10 tokens, ctx 4: windows [0,4) [4,8) [8,10); token 0 has no context; 4 and 8 start windows and have none either.
    expect(planWindows(10, 4, 4)).toEqual([
      { start: 0, end: 4, firstScored: 1 },
      { start: 4, end: 8, firstScored: 5 },
      { start: 8, end: 10, firstScored: 9 },
    ]);
  });
  it("strided windows score each token exactly once, with earlier context", () => {
    // ctx 4, stride 2: [0,4) scores 1..3; [2,6) scores 4,5; [4,8) scores 6,7; [6,9) scores 8.
    const windows = planWindows(9, 4, 2);
    expect(windows).toEqual([
      { start: 0, end: 4, firstScored: 1 },
      { start: 2, end: 6, firstScored: 4 },
      { start: 4, end: 8, firstScored: 6 },
      { start: 6, end: 9, firstScored: 8 },
    ]);
    const scored = windows.flatMap((w) => Array.from({ length: w.end - w.firstScored }, (_, i) => w.firstScored + i));
    expect(scored).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it("rejects impossible settings", () => {
    expect(() => planWindows(10, 1, 1)).toThrow(/--ctx/);
    expect(() => planWindows(10, 4, 5)).toThrow(/--stride/);
  });
});

describe("logProbability", () => {
  it("equals log softmax worked out by hand", () => {
    // logits [0, ln 3]: softmax = [1/4, 3/4]
    expect(logProbability(new Float32Array([0, Math.log(3)]), 1)).toBeCloseTo(Math.log(0.75), 6);
    expect(logProbability(new Float32Array([1000, 1000]), 0)).toBeCloseTo(Math.log(0.5), 6);
  });
});
