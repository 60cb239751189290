import { describe, expect, it } from "vitest";
import { learningRateAt } from "./schedule.js";

describe("learningRateAt", () => {
  const base = { lr: 1e-3, warmup: 0, minLrRatio: 0 };
  it("constant stays at the peak", () => {
    expect(learningRateAt(1, 100, { ...base, schedule: "constant" })).toBe(1e-3);
    expect(learningRateAt(100, 100, { ...base, schedule: "constant" })).toBe(1e-3);
  });
  it("warmup rises linearly to the peak", () => {
    const s = { ...base, schedule: "constant" as const, warmup: 4 };
    expect([1, 2, 3, 4, 5].map((t) => learningRateAt(t, 10, s))).toEqual([2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3]);
  });
  it("linear decays to the floor at the last step", () => {
    // warmup 2, total 10: decay over 8 steps; step 6 is halfway: floor 1e-4 + 0.5 * 9e-4.
    const s = { lr: 1e-3, warmup: 2, minLrRatio: 0.1, schedule: "linear" as const };
    expect(learningRateAt(6, 10, s)).toBeCloseTo(5.5e-4, 12);
    expect(learningRateAt(10, 10, s)).toBeCloseTo(1e-4, 12);
  });
  it("cosine is at half the range in the middle and at the floor at the end", () => {
    const s = { ...base, schedule: "cosine" as const };
    expect(learningRateAt(50, 100, s)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(100, 100, s)).toBeCloseTo(0, 12);
    // a quarter of the way: 0.5 * (1 + cos(pi/4)) = 0.853553...
    expect(learningRateAt(25, 100, s)).toBeCloseTo(1e-3 * 0.8535533905932737, 12);
  });
});
