import { describe, expect, it } from "vitest";
import { RagQuestionTooLongError } from "../errors.js";
import { citedNumbers, fitSources, formatSource, ragInstructions, ragUserMessage } from "./answer.js";
import type { RagHit } from "./retriever.js";

const hit = (citation: string, text: string, rank: number): RagHit => ({
  rank,
  chunkId: `d#${rank}`,
  source: "s.md",
  headingPath: [],
  citation,
  text,
  score: 10 - rank,
  scores: {},
});
// One token per character: a tokenizer whose counts are easy to check by hand.
const chars = (text: string) => Array.from(text).length;

describe("fitSources", () => {
  const q = "연차는 며칠인가?";
  const hits = [hit("법 제60조", "가".repeat(100), 1), hit("법 제61조", "나".repeat(1000), 2), hit("법 제62조", "다".repeat(50), 3)];
  const fixed = chars(ragInstructions(q)) + 64;

  it("keeps sources in rank order while they fit, skipping one that does not", () => {
    const budget = fixed + chars(ragUserMessage(q, [formatSource(1, hits[0]!), formatSource(2, hits[2]!)]));
    const { sources, omitted, promptTokens } = fitSources(q, hits, budget, chars);
    expect(sources.map((s) => [s.number, s.citation])).toEqual([
      [1, "법 제60조"],
      [2, "법 제62조"],
    ]);
    expect(omitted.map((h) => h.citation)).toEqual(["법 제61조"]);
    expect(promptTokens).toBe(budget);
  });

  it("refuses a question that alone exceeds the budget", () => {
    expect(() => fitSources("질".repeat(500), hits, 300, chars)).toThrow(RagQuestionTooLongError);
  });
});

describe("citedNumbers", () => {
  it("reads [n] and [n, m] markers within range, first mention first", () => {
    expect(citedNumbers("15일입니다 [2]. 또한 [1, 3] 및 [2], [9]", 3)).toEqual([2, 1, 3]);
    expect(citedNumbers("no citations", 3)).toEqual([]);
  });
});
