import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PromptFileError } from "../errors.js";
import { seededRandom } from "../engine/random.js";
import { drawExamples, formatExamples, loadFewShotPool, type FewShotExample } from "./few-shot.js";

const pool: FewShotExample[] = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, input: `in ${i}`, output: `out ${i}` }));

describe("drawExamples", () => {
  it("is deterministic for (seed, row), distinct, and varies with either", () => {
    const a = drawExamples(pool, 3, 42, 0);
    expect(drawExamples(pool, 3, 42, 0)).toEqual(a);
    expect(new Set(a.map((e) => e.id)).size).toBe(3);
    const others = [drawExamples(pool, 3, 43, 0), drawExamples(pool, 3, 42, 1)].map((d) => d.map((e) => e.id).join());
    expect(others.some((o) => o !== a.map((e) => e.id).join())).toBe(true);
  });

  it("never draws the prompt's own input, and caps k at what is left", () => {
    for (let row = 0; row < 20; row++) expect(drawExamples(pool, 9, 7, row, "in 3").map((e) => e.id)).not.toContain("e3");
    expect(drawExamples(pool, 50, 1, 0, "in 0")).toHaveLength(9);
  });

  it("draws every example about equally often (chi-square over 10 000 draws)", () => {
    const counts = new Map<string, number>();
    for (let row = 0; row < 10_000; row++) for (const e of drawExamples(pool, 1, 5, row)) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const expected = 1000;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: chi-square above 27.9 has p < 0.001.
    expect(chi2).toBeLessThan(27.9);
  });

  it("the seeded generator (mulberry32) gives floats in [0, 1)", () => {
    const r = seededRandom(123);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe("loadFewShotPool", () => {
  it("reads chat records, input/output and question/answer rows, and reports text records it skips", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fewshot-"));
    const file = path.join(dir, "ex.jsonl");
    const lines = [
      { kind: "chat", id: "c1", docId: "d", source: "s", lang: "ko", messages: [{ role: "system", content: "s" }, { role: "user", content: "안녕" }, { role: "assistant", content: "안녕하세요" }] },
      { kind: "text", id: "t1", docId: "d", source: "s", headingPath: [], citation: "c", lang: "en", text: "x" },
      { input: "a", output: "b" },
      { id: "qa1", question: "q", answer: "r" },
    ];
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n\n");
    const loaded = loadFewShotPool(file);
    expect(loaded.examples).toEqual([
      { id: "c1", input: "안녕", output: "안녕하세요" },
      { id: `${file}:3`, input: "a", output: "b" },
      { id: "qa1", input: "q", output: "r" },
    ]);
    expect(loaded.skipped).toEqual([{ line: 2, reason: "text record (no question/answer pair)" }]);

    fs.writeFileSync(file, '{"input": "a", "output": "b"}\n{"foo": 1}\n');
    expect(() => loadFewShotPool(file)).toThrow(PromptFileError);
    expect(() => loadFewShotPool(file)).toThrow(/:2: not an example/);
  });

  it("formats examples with the layout, a blank line after each", () => {
    expect(formatExamples(pool.slice(0, 2), "Q: {{input}}\nA: {{output}}")).toBe("Q: in 0\nA: out 0\n\nQ: in 1\nA: out 1\n\n");
    expect(formatExamples([], "Q: {{input}}")).toBe("");
  });
});
