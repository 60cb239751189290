// contains-answer and ROUGE-L against values worked out by hand (Lin 2004's own example included).
import { describe, expect, it } from "vitest";
import { containsAnswer, lcsLength, rougeL, rougeLMax, rougeTokenize } from "./text-metrics.js";

describe("containsAnswer", () => {
  it("English: whole normalized tokens, articles and punctuation ignored", () => {
    expect(containsAnswer("The dragon is called Pip.", ["pip"])).toBe(true);
    expect(containsAnswer("I concatenate strings", ["cat"])).toBe(false);
    expect(containsAnswer("It was the Eiffel Tower!", ["eiffel tower"])).toBe(true);
  });

  it("Korean: substring after KorQuAD normalization, so particles do not hide the answer", () => {
    expect(containsAnswer("그는 《서울》에서 태어났다", ["서울"])).toBe(true);
    expect(containsAnswer("그는 부산에서 태어났다", ["서울"])).toBe(false);
  });

  it("an answer that normalizes to nothing never matches", () => {
    expect(containsAnswer("anything at all", ["the"])).toBe(false);
  });
});

describe("rougeTokenize", () => {
  it("rouge-score: lowercase ASCII alphanumerics only", () => {
    expect(rougeTokenize("Hello, World! It's 2024.")).toEqual(["hello", "world", "it", "s", "2024"]);
    // non-ASCII letters are separators under rouge_score's tokenizer
    expect(rougeTokenize("café 서울")).toEqual(["caf"]);
  });

  it("unicode: Hangul characters are tokens, other letter/digit runs are words", () => {
    expect(rougeTokenize("GPT-4는 모델", "unicode")).toEqual(["gpt", "4", "는", "모", "델"]);
    expect(rougeTokenize("Café, naïve", "unicode")).toEqual(["café", "naïve"]);
  });
});

describe("rougeL", () => {
  it("Lin (2004) section 3.1: S2 scores 3/4 and S3 scores 1/2 against S1", () => {
    // S1 police killed the gunman; S2 police kill the gunman: LCS "police the gunman" = 3 of 4 and 4
    expect(rougeL("police kill the gunman", "police killed the gunman").fmeasure).toBeCloseTo(0.75, 12);
    // S3 the gunman kill police: LCS "the gunman" = 2 of 4 and 4
    expect(rougeL("the gunman kill police", "police killed the gunman").fmeasure).toBeCloseTo(0.5, 12);
  });

  it("unequal lengths: P and R differ", () => {
    // pred [the, cat, sat] vs target [the, cat, sat, on, the, mat]: LCS 3; P = 1, R = 1/2, F = 1/1.5 = 2/3
    const s = rougeL("the cat sat", "The cat sat on the mat.");
    expect(s.precision).toBe(1);
    expect(s.recall).toBe(0.5);
    expect(s.fmeasure).toBeCloseTo(2 / 3, 12);
  });

  it("Korean with auto tokenization: character LCS", () => {
    // pred 서 울 에 서 만 나 요 (7) vs target 서 울 에 가 요 (5): LCS 서 울 에 요 = 4
    // P = 4/7, R = 4/5, F = 2(16/35) / (48/35) = 2/3
    expect(rougeL("서울에서 만나요", "서울에 가요").fmeasure).toBeCloseTo(2 / 3, 12);
    // the rouge-score tokenizer sees no tokens at all in Korean
    expect(rougeL("서울에서 만나요", "서울에 가요", "rouge-score").fmeasure).toBe(0);
  });

  it("empty side gives zeros; max over references keeps the best F", () => {
    expect(rougeL("", "a b")).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    expect(rougeLMax("police kill the gunman", ["the gunman kill police", "police killed the gunman"]).fmeasure).toBeCloseTo(0.75, 12);
  });

  it("lcsLength on a classic pair", () => {
    // ABCBDAB vs BDCABA: LCS length 4 (e.g. BCBA)
    expect(lcsLength([..."ABCBDAB"], [..."BDCABA"])).toBe(4);
  });
});
