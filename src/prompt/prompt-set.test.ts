import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidConfigError, PromptFileError } from "../errors.js";
import { buildPrompt } from "./batch-run.js";
import { loadPromptRows, loadVariants, resolveTemplateSpec } from "./prompt-set.js";
import { resolveSampling } from "./sampling.js";

const tmp = (name: string, text: string) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "prompts-")), name);
  fs.writeFileSync(file, text);
  return file;
};

describe("loadPromptRows", () => {
  it("takes flat fields and vars as variables, NFC-normalises, numbers ids by line", () => {
    const decomposed = "\u1112\u1161\u11ab"; // 한 as Jamo
    const file = tmp("p.jsonl", `{"id": "q1", "question": "${decomposed}?", "expected": "x"}\n\n{"vars": {"text": "hi", "n": 3}}\n`);
    expect(loadPromptRows(file)).toEqual([
      { id: "q1", vars: { question: "한?" }, expected: "x" },
      { id: "p3", vars: { text: "hi", n: "3" } },
    ]);
  });

  it("rejects bad JSON, nested values and duplicate ids with the line number", () => {
    expect(() => loadPromptRows(tmp("a.jsonl", '{"id": "a"}\n{oops\n'))).toThrow(/a\.jsonl:2: not valid JSON/);
    expect(() => loadPromptRows(tmp("b.jsonl", '{"question": {"x": 1}}\n'))).toThrow(PromptFileError);
    expect(() => loadPromptRows(tmp("c.jsonl", '{"id": "a"}\n{"id": "a"}\n'))).toThrow(/:2: duplicate id "a"/);
    expect(() => loadPromptRows(tmp("d.jsonl", "\n"))).toThrow(/no prompts/);
  });
});

describe("variants", () => {
  it("resolves built-ins, template files and variants.jsonl", () => {
    expect(resolveTemplateSpec("qa", "ko", 2).name).toBe("qa:ko");
    const file = tmp("short.txt", "Q: {{question}}\nA:\n");
    expect(resolveTemplateSpec(file, "en", 0)).toMatchObject({ name: "short", template: "Q: {{question}}\nA:", fewShot: 0 });
    expect(() => resolveTemplateSpec("nope", "en", 0)).toThrow(InvalidConfigError);
    const variants = loadVariants(tmp("v.jsonl", '{"name": "a", "template": "qa:en"}\n{"name": "b", "template": "{{prompt}}", "fewShot": 1, "system": "S"}\n'), "ko", 3);
    expect(variants.map((v) => [v.name, v.fewShot, v.system])).toEqual([["a", 3, undefined], ["b", 1, "S"]]);
    expect(variants[0]!.template).toContain("Question:");
    expect(() => loadVariants(tmp("w.jsonl", '{"template": "x"}\n'), "en", 0)).toThrow(/:1: bad variant \(name/);
  });
});

describe("buildPrompt", () => {
  const pool = { file: "f", skipped: [], examples: [1, 2, 3, 4].map((i) => ({ id: `e${i}`, input: `q${i}`, output: `a${i}` })) };
  it("puts drawn examples in the {{examples}} slot, or before a template without one", () => {
    const qa = resolveTemplateSpec("qa:en", "en", 2);
    const row = { id: "r", vars: { question: "q1", context: "ctx" } };
    const { prompt, exampleIds } = buildPrompt(row, 0, qa, pool, 9);
    expect(exampleIds).toHaveLength(2);
    expect(exampleIds).not.toContain("e1");
    const [first, second] = exampleIds.map((id) => pool.examples.find((e) => e.id === id)!);
    expect(prompt).toBe(
      `Answer the question using only the context.\n\nQuestion: ${first!.input}\nAnswer: ${first!.output}\n\nQuestion: ${second!.input}\nAnswer: ${second!.output}\n\nContext: ctx\nQuestion: q1\nAnswer:`,
    );
    const bare = { name: "bare", template: "{{question}} ->", example: "{{input}} -> {{output}}", fewShot: 1 };
    const built = buildPrompt(row, 0, bare, pool, 9);
    expect(built.prompt).toMatch(/^q\d -> a\d\n\nq1 ->$/);
  });

  it("asks for --examples when a variant wants few-shot examples and none were given", () => {
    expect(() => buildPrompt({ id: "r", vars: { prompt: "x" } }, 0, { name: "v", template: "{{prompt}}", example: "", fewShot: 1 }, undefined, 1)).toThrow(/--examples/);
  });
});

describe("resolveSampling", () => {
  it("applies llama.cpp defaults, fixes a seed, and rejects out-of-range values by name", () => {
    const s = resolveSampling({});
    expect(s).toMatchObject({ temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1, maxTokens: 256 });
    expect(Number.isInteger(s.seed)).toBe(true);
    expect(resolveSampling({ seed: 5 }).seed).toBe(5);
    expect(() => resolveSampling({ topP: 2 })).toThrow(/topP = 2/);
    expect(() => resolveSampling({ temperature: -1 })).toThrow(InvalidConfigError);
  });
});
