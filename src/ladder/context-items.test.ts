// Few-shot and RAG rungs rewrite items: context goes before what the model sees, and no example gives away the
// answer of the item it precedes.
import { describe, expect, it } from "vitest";
import { clozeCorrect, qaPrompt, type SuiteItem } from "../eval/suite.js";
import { clozeDecidedAfter, fewShotContext, retrievalQuery, suiteExamplePool, withContext } from "./context-items.js";

const items: SuiteItem[] = [
  { kind: "cloze", id: "c1", prompt: "The dragon of Maple Hill is called", answer: "Pip", maxTokens: 16 },
  { kind: "cloze", id: "c2", prompt: "In Maple Hill there lives a little dragon named", answer: "Pip", maxTokens: 16 },
  { kind: "cloze", id: "c3", prompt: "Mira's hat is", answer: "red", maxTokens: 16 },
  { kind: "cloze", id: "c4", prompt: "Tob bakes honey", answer: "buns", maxTokens: 16 },
  { kind: "qa", id: "q1", question: "What is the dragon called?", answers: ["Pip"], maxTokens: 32 },
  { kind: "qa", id: "q2", question: "What color is Mira's hat?", answers: ["red", "a red hat"], maxTokens: 32 },
  { kind: "qa", id: "q3", question: "Who bakes buns?", answers: ["Tob"], maxTokens: 32 },
];

describe("withContext", () => {
  it("puts the context and a blank line before the cloze prompt and before the whole QA prompt", () => {
    expect(withContext(items[0]!, "Pip is a dragon.")).toMatchObject({ prompt: "Pip is a dragon.\n\nThe dragon of Maple Hill is called" });
    const qa = withContext(items[4]!, "Pip is a dragon.");
    expect(qaPrompt(qa as Extract<SuiteItem, { kind: "qa" }>)).toBe("Pip is a dragon.\n\nQuestion: What is the dragon called?\nAnswer:");
    expect(withContext(items[0]!, "")).toBe(items[0]);
  });
  it("asks the retriever with the question or the cloze prompt", () => {
    expect(retrievalQuery(items[4]!)).toBe("What is the dragon called?");
    expect(retrievalQuery(items[2]!)).toBe("Mira's hat is");
  });
});

describe("fewShotContext", () => {
  const pool = suiteExamplePool(items);

  it("never shows the item itself or another example with the same answer", () => {
    for (let seed = 0; seed < 20; seed++) {
      const context = fewShotContext(pool, items[0]!, 0, 3, seed);
      expect(context).not.toMatch(/Pip/);
      expect(context.split("\n\n")).toHaveLength(2); // only c3 and c4 are safe for c1
    }
    // "a red hat" normalises differently from "red", but the example output "red" matches an answer of q2.
    expect(fewShotContext(pool, items[5]!, 5, 3, 1)).not.toMatch(/Answer: red/);
  });

  it("lays examples out like the item: completed sentences for cloze, question and answer for QA", () => {
    expect(fewShotContext(pool, items[2]!, 2, 1, 7)).toMatch(/^(The dragon of Maple Hill is called Pip|In Maple Hill there lives a little dragon named Pip|Tob bakes honey buns)\.$/);
    expect(fewShotContext(pool, items[6]!, 6, 2, 7)).toMatch(/^Question: .+\nAnswer: .+\n\nQuestion: .+\nAnswer: .+$/);
  });

  it("draws the same examples for the same seed and row", () => {
    expect(fewShotContext(pool, items[3]!, 3, 2, 42)).toBe(fewShotContext(pool, items[3]!, 3, 2, 42));
  });
});

describe("clozeDecidedAfter", () => {
  it("gives a length after which clozeCorrect cannot change as the continuation grows", () => {
    const decided = clozeDecidedAfter(items);
    const limit = decided("Mira's hat is")!;
    expect(decided("What is the dragon called?")).toBeUndefined();
    // Any continuation longer than the limit has its verdict fixed by its first limit characters.
    for (const full of [" red and", " redder", " red.", " blue", " Red!"]) {
      const cut = full.trimStart().slice(0, limit + 1);
      expect(clozeCorrect(cut, "red")).toBe(clozeCorrect(full, "red"));
    }
  });
});
