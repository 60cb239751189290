// The eval -> report bridge: which eval numbers become the report's quality columns.
import { describe, expect, it } from "vitest";
import { evalQualityFigures } from "./evaluate.js";

describe("evalQualityFigures", () => {
  it("maps perplexity, QA, cloze and the rubric mean; missing parts become null", () => {
    const figures = evalQualityFigures({
      perplexity: { perplexity: 3.5, nll: 10, tokens: 8, windowTokens: 128, note: "" },
      summary: { qa: { items: 2, exactMatch: 50, f1: 62.5, containsAnswer: 100, rougeL: 40, style: "auto", rules: { squad: 2, korquad: 0 } }, cloze: { items: 4, accuracy: 75 } },
    });
    expect(figures).toEqual({ perplexity: 3.5, exactMatch: 50, f1: 62.5, clozeAccuracy: 75, judgeScore: null });
    expect(evalQualityFigures({ perplexity: null, summary: {} })).toEqual({
      perplexity: null,
      exactMatch: null,
      f1: null,
      clozeAccuracy: null,
      judgeScore: null,
    });
  });
});
