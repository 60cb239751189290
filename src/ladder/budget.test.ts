// Budget strings: time per rung, tokens per rung, and the steps a token budget gives.
import { describe, expect, it } from "vitest";
import { InvalidConfigError } from "../errors.js";
import { describeBudget, parseBudget, stepsFor, TIME_BUDGET_STEP_CAP } from "./budget.js";

describe("parseBudget", () => {
  it.each([
    ["90s", { kind: "seconds", seconds: 90 }],
    ["5m", { kind: "seconds", seconds: 300 }],
    ["2 min", { kind: "seconds", seconds: 120 }],
    ["1.5h", { kind: "seconds", seconds: 5400 }],
    ["50000", { kind: "tokens", tokens: 50000 }],
    ["50k", { kind: "tokens", tokens: 50000 }],
    ["2.5K tokens", { kind: "tokens", tokens: 2500 }],
    ["2M tokens", { kind: "tokens", tokens: 2_000_000 }],
    ["512 tok", { kind: "tokens", tokens: 512 }],
  ])("%s", (text, expected) => {
    expect(parseBudget(text)).toEqual(expected);
  });

  it.each(["", "0", "0s", "fast", "-5m", "5 lightyears", "1e5"])("rejects %j with a named error", (text) => {
    expect(() => parseBudget(text)).toThrow(InvalidConfigError);
  });
});

describe("stepsFor", () => {
  it("divides a token budget by the tokens of a step, rounding down, at least one step", () => {
    expect(stepsFor({ kind: "tokens", tokens: 60_000 }, 512)).toBe(117); // 60000 / 512 = 117.19
    expect(stepsFor({ kind: "tokens", tokens: 100 }, 512)).toBe(1);
  });
  it("leaves a time budget to the clock", () => {
    expect(stepsFor({ kind: "seconds", seconds: 60 }, 512)).toBe(TIME_BUDGET_STEP_CAP);
  });
  it("describes both kinds for the report", () => {
    expect(describeBudget({ kind: "tokens", tokens: 60000 })).toBe("60,000 training tokens per rung");
    expect(describeBudget({ kind: "seconds", seconds: 90 })).toBe("90 s of training per rung");
  });
});
