// Suite loading (schema errors name the line) and runSuite's scoring with scripted generator, scorer and judge.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EvalSuiteError } from "../errors.js";
import type { EvalGenerator } from "./interfaces.js";
import type { Judge } from "./judge.js";
import { clozeCorrect, loadSuite, qaPrompt, runSuite, type SuiteItem } from "./suite.js";

function writeSuite(lines: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-suite-"));
  const file = path.join(dir, "suite.jsonl");
  fs.writeFileSync(file, lines.join("\n"));
  return file;
}

/** Replies with a fixed continuation per prompt; records the options it was called with. */
function scriptedGenerator(replies: Record<string, string>): EvalGenerator & { calls: Array<{ prompt: string; stop?: readonly string[] }> } {
  const calls: Array<{ prompt: string; stop?: readonly string[] }> = [];
  return {
    backend: "scripted",
    calls,
    async complete(prompt, options) {
      calls.push({ prompt, ...(options.stop ? { stop: options.stop } : {}) });
      const reply = replies[prompt];
      if (reply === undefined) throw new Error(`no scripted reply for ${JSON.stringify(prompt)}`);
      return reply;
    },
  };
}

describe("loadSuite", () => {
  it("parses every kind, fills defaults and ids, NFC-normalises", () => {
    const decomposed = "\u1112\u1161\u11ab"; // 한 as conjoining jamo (NFD)
    const file = writeSuite([
      JSON.stringify({ kind: "qa", question: "Who?", answers: [decomposed] }),
      "",
      JSON.stringify({ kind: "cloze", id: "pip", prompt: "The dragon is called", answer: "Pip" }),
      JSON.stringify({ kind: "mc", question: "Sky is", choices: ["blue", "green"], answer: 0 }),
      JSON.stringify({ kind: "judge", prompt: "Tell a story", mode: "rubric", rubric: "has a dragon" }),
    ]);
    const { items, qaStyle } = loadSuite(file);
    expect(items.map((i) => i.id)).toEqual(["qa-1", "pip", "mc-4", "judge-5"]);
    const qa = items[0] as Extract<SuiteItem, { kind: "qa" }>;
    expect(qa.answers[0]).toBe("한");
    expect(qaStyle).toBe("auto");
    expect(qa.maxTokens).toBe(32);
  });

  it.each([
    [['{"kind":"qa","question":"q","answers":[]}'], /:1: .*answers/],
    [['{"kind":"mc","question":"q","choices":["a","b"],"answer":2}'], /:1: .*answer must be an index/],
    [["", '{"kind":"judge","prompt":"p","mode":"pairwise"}'], /:2: .*pairwise mode needs `baseline`/],
    [['{"kind":"essay"}'], /:1: .*"kind" is "essay"/],
    [["{not json"], /:1: .*not JSON/],
    [['{"kind":"cloze","id":"a","prompt":"p","answer":"x"}', '{"kind":"cloze","id":"a","prompt":"q","answer":"y"}'], /:2: .*duplicate id "a"/],
    [["", "  "], /no items/],
    [['{"kind":"qa","question":"q","answers":["a"],"style":"korquad"}'], /:1: .*"style" is set once for the whole suite/],
    [['{"kind":"cloze","prompt":"p","answer":"x"}', '{"kind":"suite","style":"squad"}'], /:2: .*must be the first line/],
    [['{"kind":"suite","style":"kor"}'], /:1: .*suite settings: style/],
    [['{"kind":"suite","qaStyle":"squad"}'], /:1: .*suite settings/],
  ])("rejects %j with a named error", (lines, pattern) => {
    const file = writeSuite(lines);
    expect(() => loadSuite(file)).toThrow(EvalSuiteError);
    expect(() => loadSuite(file)).toThrow(pattern);
  });
});

describe("suite settings line", () => {
  it("sets the QA rules for the whole suite and is not an item", () => {
    const file = writeSuite(['', '{"kind":"suite","style":"korquad"}', '{"kind":"qa","question":"Who?","answers":["Timbaland"]}']);
    const { items, qaStyle } = loadSuite(file);
    expect(qaStyle).toBe("korquad");
    expect(items.map((i) => i.id)).toEqual(["qa-3"]);
  });
});

describe("clozeCorrect", () => {
  it.each([
    [" Pip. He was", "Pip", true],
    ["Pip", "Pip", true],
    [" pip and", "Pip", true], // case-insensitive
    [" Pipsqueak", "Pip", false], // the answer must end at a word boundary
    [" A dragon called Pip", "Pip", false], // must START with the answer
    [" 피프는 날았다", "피프", true], // a Korean particle may follow a Hangul answer
    ["", "Pip", false],
  ])("%j vs %j -> %s", (continuation, answer, expected) => {
    expect(clozeCorrect(continuation, answer)).toBe(expected);
  });
});

describe("runSuite", () => {
  const items: SuiteItem[] = [
    { kind: "qa", id: "q1", question: "Who built it?", answers: ["The Romans"], maxTokens: 8 },
    { kind: "qa", id: "q2", question: "수도는?", answers: ["서울"], maxTokens: 8 },
    { kind: "cloze", id: "c1", prompt: "The dragon is called", answer: "Pip", maxTokens: 4 },
    { kind: "cloze", id: "c2", prompt: "The cat is called", answer: "Tom", maxTokens: 4 },
    { kind: "mc", id: "m1", question: "The sky is", choices: ["green", "blue"], answer: 1 },
    { kind: "judge", id: "j1", prompt: "Story?", mode: "rubric", rubric: "mentions a dragon", maxTokens: 8 },
    { kind: "judge", id: "j2", prompt: "Poem?", mode: "pairwise", baseline: "Roses are red", maxTokens: 8 },
  ];
  const generator = () =>
    scriptedGenerator({
      [qaPrompt(items[0] as Extract<SuiteItem, { kind: "qa" }>)]: " romans, mostly",
      "Question: 수도는?\nAnswer:": " 서울입니다",
      "The dragon is called": " Pip.",
      "The cat is called": " Max.",
      "Story?": " A dragon flew.",
      "Poem?": " Violets are blue",
    });
  // Log-probabilities: " blue" is likelier than " green".
  const scorer = { logprob: async (_c: string, cont: string) => (cont === " blue" ? -1 : -3) };
  // Rubric gives 4; pairwise: the candidate wins as A but loses as B -> position bias -> tie (0.5).
  const judge: Judge = {
    backend: "scripted",
    rubric: async () => ({ reason: "ok", score: 4 }),
    pairwise: async () => ({ reason: "first looks better", winner: "A" }),
  };

  it("scores each kind and summarises with hand-computed values", async () => {
    const g = generator();
    const r = await runSuite(g, scorer, items, { judge });
    const byId = Object.fromEntries(r.items.map((i) => [i.id, i]));
    // q1: "romans, mostly" -> [romans, mostly] vs [romans]: EM 0, F1 = 2(1/2)(1)/(3/2) = 2/3; contains "romans"
    expect(byId.q1!.exactMatch).toBe(0);
    expect(byId.q1!.f1).toBeCloseTo(2 / 3, 12);
    expect(byId.q1!.containsAnswer).toBe(true);
    // q2 (KorQuAD): 서울입니다 (5 chars) vs 서울 (2): P = 2/5, R = 1, F1 = (4/5)/(7/5) = 4/7
    expect(byId.q2!.f1).toBeCloseTo(4 / 7, 12);
    expect(byId.q2!.containsAnswer).toBe(true);
    // QA stops at the first newline
    expect(g.calls[0]!.stop).toEqual(["\n"]);
    expect(r.summary.qa!.exactMatch).toBe(0);
    expect(r.summary.qa!.f1).toBeCloseTo((100 * (2 / 3 + 4 / 7)) / 2, 10);
    expect(r.summary.cloze).toEqual({ items: 2, accuracy: 50 });
    expect(r.summary.mc).toEqual({ items: 1, accuracy: 100, accuracyNorm: 100 });
    expect(r.summary.judge).toEqual({ rubricItems: 1, rubricMean: 4, pairwiseItems: 1, pairwiseScore: 50 });
    expect(r.skipped).toEqual([]);
  });

  it("auto scores each QA item by its question's language and records the rules", async () => {
    const r = await runSuite(generator(), scorer, items.slice(0, 2));
    expect(r.items.map((i) => i.qaRules)).toEqual(["squad", "korquad"]);
    expect(r.summary.qa!.style).toBe("auto");
    expect(r.summary.qa!.rules).toEqual({ squad: 1, korquad: 1 });
  });

  it("a suite-wide style scores every item with that rule set", async () => {
    const r = await runSuite(generator(), scorer, items.slice(0, 2), { qaStyle: "korquad" });
    expect(r.summary.qa!.rules).toEqual({ squad: 0, korquad: 2 });
    // q1 under KorQuAD: characters of "romans, mostly" minus "," = [r,o,m,a,n,s,m,o,s,t,l,y] (12) vs "the romans"
    // [t,h,e,r,o,m,a,n,s] (9); shared r,o,m,a,n,s + t = 7 (o, m, s once each in the truth): P = 7/12, R = 7/9
    const p = 7 / 12;
    const rec = 7 / 9;
    expect(r.items[0]!.f1).toBeCloseTo((2 * p * rec) / (p + rec), 12);
  });

  it("strips the output as Python's str.strip() does: U+0085 and U+001C go, U+FEFF stays", async () => {
    const qa = items[0] as Extract<SuiteItem, { kind: "qa" }>;
    const g = scriptedGenerator({ [qaPrompt(qa)]: "\u0085\u001c The Romans\u3000\ufeff" });
    const r = await runSuite(g, scorer, [qa], { qaStyle: "squad" });
    expect(r.items[0]!.output).toBe("The Romans\u3000\ufeff");
    // SQuAD: tokens [romans, \ufeff] vs [romans]: EM 0, F1 = 2/3 (trim() would have made it EM 1)
    expect(r.items[0]!.exactMatch).toBe(0);
    expect(r.items[0]!.f1).toBeCloseTo(2 / 3, 12);
  });

  it("without a judge, judge items are listed as skipped, not dropped silently", async () => {
    const r = await runSuite(generator(), scorer, items);
    expect(r.skipped.map((s) => s.id)).toEqual(["j1", "j2"]);
    expect(r.summary.judge).toBeUndefined();
  });
});
