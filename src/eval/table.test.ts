// The eval table names the official rules that scored the suite's QA items, in English and Korean.
import { describe, expect, it } from "vitest";
import { qaRulesLabel } from "./table.js";

describe("qaRulesLabel", () => {
  it("says which rules scored the suite and why", () => {
    expect(qaRulesLabel("auto", { squad: 0, korquad: 58 }, "en")).toBe("KorQuAD v1.0 (auto: Hangul in the questions or contexts)");
    expect(qaRulesLabel("auto", { squad: 0, korquad: 58 }, "ko")).toBe("KorQuAD v1.0 (auto: 질문·지문에 한글)");
    expect(qaRulesLabel("auto", { squad: 209, korquad: 0 }, "en")).toBe("SQuAD v1.1 (auto: no Hangul in the questions or contexts)");
    expect(qaRulesLabel("korquad", { squad: 0, korquad: 3 }, "en")).toBe("KorQuAD v1.0 (set)");
    expect(qaRulesLabel("squad", { squad: 3, korquad: 0 }, "ko")).toBe("SQuAD v1.1 (지정)");
    expect(qaRulesLabel("auto", { squad: 1, korquad: 2 }, "en")).toBe("SQuAD v1.1 for 1, KorQuAD v1.0 for 2 (auto, by each question's language)");
  });
});
