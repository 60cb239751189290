import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { PromptResult } from "./batch-run.js";
import { displayWidth, fitWidth, formatResultsTable, writeResultsJsonl } from "./results-table.js";

const result = (id: string, variant: string, target: string, output: string): PromptResult => ({
  id, variant, target, model: "m", mode: "completion", prompt: "p", output, examples: [], stopReason: "length",
  promptTokens: 1, completionTokens: 1, durationMs: 1, tokensPerSecond: 1, seed: 1,
});

describe("display width", () => {
  it("counts Hangul and CJK as two columns, combining marks as none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("한국어")).toBe(6);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("漢字")).toBe(4);
  });

  it("fitWidth pads and cuts by columns, never splitting a wide character past the width", () => {
    expect(fitWidth("ab", 4)).toBe("ab  ");
    expect(fitWidth("한국어입니다", 7)).toBe("한국어…");
    expect(displayWidth(fitWidth("한국어입니다", 6))).toBe(6);
    expect(fitWidth("a\n b", 5)).toBe("a b  ");
  });
});

describe("formatResultsTable", () => {
  it("puts prompts down and variants across; adds the target when several", () => {
    const one = formatResultsTable([result("q1", "qa:en", "base", "yes"), result("q1", "raw", "base", "no"), result("q2", "qa:en", "base", "네")], 6);
    const lines = one.split("\n");
    expect(lines[0]).toBe("id │ qa:en  │ raw   ");
    expect(lines[2]).toBe("q1 │ yes    │ no    ");
    expect(lines[3]).toBe("q2 │ 네     │       ");
    const two = formatResultsTable([result("q1", "raw", "base", "a"), result("q1", "raw", "lora", "b")], 12);
    expect(two.split("\n")[0]).toBe("id │ raw @ base   │ raw @ lora  ");
  });
});

describe("writeResultsJsonl", () => {
  it("writes one JSON object per line, and leaves no temporary file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "results-"));
    const file = path.join(dir, "sub", "results.jsonl");
    writeResultsJsonl(file, [result("q1", "raw", "base", "한"), result("q2", "raw", "base", "b")]);
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as PromptResult).id)).toEqual(["q1", "q2"]);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["results.jsonl"]);
  });
});
