// Python's whitespace, checked against python3 itself over every code point 0..0x10FFFF: str.isspace(), and what
// str.strip() removes from both ends. The official QA scripts see the model's output through these rules.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isPyWhitespace, pyStrip, PY_WHITESPACE_CODE_POINTS } from "./qa-metrics.js";

const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const hasPython = python.error === undefined && python.status === 0;
if (!hasPython) console.warn("qa-metrics.pystrip.test: SKIPPING the comparison with Python: no python3 on PATH (CI has one).");

/** Runs a python3 snippet that prints a JSON list of code points. */
function pythonCodePoints(code: string): number[] {
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}

describe("pyStrip", () => {
  it("removes Python whitespace at both ends only, keeps U+FEFF (hand-checked cases)", () => {
    expect(pyStrip(" \t\u3000Pip\u00a0\u2003")).toBe("Pip");
    expect(pyStrip("\u0085\u001cPip\u001f")).toBe("Pip"); // trim() keeps these
    expect(pyStrip("\ufeffPip\ufeff")).toBe("\ufeffPip\ufeff"); // trim() removes these
    expect(pyStrip("a  b")).toBe("a  b");
    expect(pyStrip(" \n ")).toBe("");
    expect(pyStrip("")).toBe("");
  });
});

describe.skipIf(!hasPython)("Python's whitespace, from python3, over all 0x110000 code points", () => {
  it("str.isspace() is true for exactly PY_WHITESPACE_CODE_POINTS", () => {
    const python = pythonCodePoints("import json; print(json.dumps([c for c in range(0x110000) if chr(c).isspace()]))");
    const ours: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) if (isPyWhitespace(cp)) ours.push(cp);
    expect(ours).toEqual(python);
    expect([...PY_WHITESPACE_CODE_POINTS].sort((a, b) => a - b)).toEqual(python);
  });

  it("str.strip() removes a code point from both ends exactly when pyStrip does", () => {
    // Lone surrogates are valid in a Python str and in a JS string, so every code point takes part.
    const python = pythonCodePoints("import json; print(json.dumps([c for c in range(0x110000) if (chr(c) + 'x' + chr(c)).strip() == 'x']))");
    const ours: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (pyStrip(`${ch}x${ch}`) === "x") ours.push(cp);
    }
    expect(ours).toEqual(python);
  });
});
