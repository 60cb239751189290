// Multiple-choice selection with a scorer whose log-probabilities are known exactly.
import { describe, expect, it } from "vitest";
import { choiceContinuation, multipleChoiceAccuracy, scoreMultipleChoice } from "./multiple-choice.js";

// A unigram "model": each continuation character costs ln(p(char)); unknown characters cost ln(0.01).
const charProb: Record<string, number> = { " ": 0.5, P: 0.2, i: 0.3, p: 0.2, T: 0.1, o: 0.1, m: 0.1 };
const unigram = async (_context: string, continuation: string) =>
  [...continuation].reduce((acc, ch) => acc + Math.log(charProb[ch] ?? 0.01), 0);

describe("multiple choice by log-likelihood", () => {
  it("choices are scored as ' <choice>'", () => {
    expect(choiceContinuation("Pip")).toBe(" Pip");
    expect(choiceContinuation(" Pip")).toBe(" Pip");
  });

  it("picks the highest summed log-probability, and acc_norm divides by UTF-8 bytes", async () => {
    // " Pip" = ln .5 + ln .2 + ln .3 + ln .2 = ln 0.006 = -5.116; " Tom" = ln(.5 * .1 * .1 * .1) = ln 0.0005 = -7.601
    const r = await scoreMultipleChoice({ question: "The dragon is called", choices: ["Tom", "Pip"], answer: 1 }, unigram);
    expect(r.logprobs[0]).toBeCloseTo(Math.log(0.0005), 12);
    expect(r.logprobs[1]).toBeCloseTo(Math.log(0.006), 12);
    expect(r.predicted).toBe(1);
    expect(r.correct).toBe(true);
  });

  it("length normalisation can change the pick", async () => {
    // " P" = ln(.5*.2) = -2.303 (2 bytes: -1.151/byte); " ii" = ln(.5*.3*.3) = -3.101 (3 bytes: -1.034/byte)
    const r = await scoreMultipleChoice({ question: "q", choices: ["P", "ii"], answer: 1 }, unigram);
    expect(r.predicted).toBe(0);
    expect(r.predictedNorm).toBe(1);
    const agg = await multipleChoiceAccuracy(
      [
        { question: "q", choices: ["P", "ii"], answer: 1 },
        { question: "q", choices: ["Tom", "Pip"], answer: 1 },
      ],
      unigram,
    );
    expect(agg.accuracy).toBe(0.5);
    expect(agg.accuracyNorm).toBe(1);
  });

  it("rejects an answer index outside the choices", async () => {
    await expect(scoreMultipleChoice({ question: "q", choices: ["a", "b"], answer: 2 }, unigram)).rejects.toThrow(RangeError);
  });
});
