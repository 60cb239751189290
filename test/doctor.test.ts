// `localtune doctor` end to end on this machine: real detection, stories260K from its GGUF, a 0.5B shape, dataset
// token counting with the model's tokenizer, and the CLI's JSON output.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countDatasetTokens } from "../src/doctor/dataset-tokens.js";
import { runDoctor, type DoctorReport } from "../src/doctor/doctor.js";
import { formatDoctorReport } from "../src/doctor/format.js";
import { METHODS } from "../src/methods/registry.js";

const MODEL = "models/stories260K.gguf";
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-doctor-"));
// These tests check the uncalibrated report; calibration and --verify are test/doctor-verify.test.ts.
const skip = { calibration: "skip" as const, threads: 1 };
// The rungs a plan holds with the registered methods: written out here, not read from the doctor, so a method that
// drops out of the plan fails this test.
const PLANNED_RUNGS = ["prompt-rag", "prompt-tuning", "prefix-tuning", "bitfit", "ia3", "lora-r2", "lora-r16", "lora-r16-q8_0", "lora-r16-q4_K", "full-dapt"];

function expectConsistentVerdict(report: DoctorReport): void {
  const hw = report.hardware;
  if (hw.backend.backend === "cpu") {
    // No GPU build loaded: the plan must budget RAM, and the verdict must say the CPU computes.
    expect(report.memoryBytes).toBe(hw.memory.availableBytes);
    expect(report.verdict.en).toMatch(/^No usable GPU: localtune will compute on the CPU/);
    expect(report.verdict.ko).toMatch(/^사용할 수 있는 GPU 없음/);
  } else {
    expect(report.verdict.en).toContain(hw.backend.backend.toUpperCase());
  }
  expect(report.calibration.status).toBe("missing");
  expect(report.verdict.en).toContain("Not calibrated at 1 thread(s): times are unknown until calibration runs");
}

describe("doctor on this machine", () => {
  it("plans stories260K from its GGUF: every rung fits, ranked by FLOPs", async () => {
    const report = await runDoctor({ model: MODEL, tokens: 100_000, cacheDir, ...skip });
    expectConsistentVerdict(report);
    expect(report.hardware.cpu.threads).toBeGreaterThan(0);
    expect(report.hardware.disk.freeBytes).toBeGreaterThan(0);
    const plan = report.plans[0]!;
    expect(plan.model.totalParams).toBe(292_800);
    expect(plan.rankedBy).toBe("flops");
    expect(plan.rungs.map((r) => r.id).sort()).toEqual([...PLANNED_RUNGS].sort());
    // Every registered method has a rung in the plan (IA3 once had none and nothing noticed).
    expect(new Set(plan.rungs.flatMap((r) => (r.method ? [r.method] : [])))).toEqual(new Set(METHODS.map((m) => m.name)));
    expect(plan.rungs.every((r) => r.fit === "yes" && r.epochSeconds === null)).toBe(true);
    // 100k tokens is fewer than the model's 292.8K parameters, so full DAPT is not the advice.
    expect(plan.recommendation.rung).not.toBe("full-dapt");
    const text = formatDoctorReport(report, "ko");
    expect(text).toContain("단계");
    expect(text).toContain("알 수 없음");
  });

  it("plans a 0.5B shape: LoRA fits in RAM, full DAPT needs 16 bytes per parameter", async () => {
    const report = await runDoctor({ modelShape: "qwen2.5-0.5b", tokens: 5_000_000, cacheDir, ...skip });
    expectConsistentVerdict(report);
    const plan = report.plans[0]!;
    const full = plan.rungs.find((r) => r.id === "full-dapt")!;
    const m = full.memory;
    expect(m.weightBytes + m.gradientBytes + m.optimizerBytes).toBe(16 * 494_032_768);
    const ranks = plan.rungs.map((r) => r.epochFlops);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("counts dataset tokens from records, with the model's tokenizer, or as a byte upper bound", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-data-"));
    const rec = (id: string, text: string, tokens?: number) =>
      JSON.stringify({ kind: "text", id, docId: "d", source: "s", headingPath: [], citation: "c", lang: "en", text, ...(tokens ? { tokens } : {}) });
    fs.writeFileSync(path.join(dir, "train.jsonl"), `${rec("a", "Once upon a time", 5)}\n${rec("b", "there was a cat", 4)}\n`);
    expect(countDatasetTokens(dir)).toMatchObject({ tokens: 9, source: "records", records: 2 });

    const ko = path.join(dir, "ko.txt");
    fs.writeFileSync(ko, "안녕하세요");
    expect(countDatasetTokens(ko)).toMatchObject({ tokens: 16, source: "bytes-upper-bound" });
  });

  it("counts with stories260K's tokenizer: Korean falls back to bytes, never more tokens than bytes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-data-"));
    const file = path.join(dir, "mixed.txt");
    fs.writeFileSync(file, "Once upon a time, there was a little girl. 옛날 옛적에");
    const report = await runDoctor({ model: MODEL, data: file, cacheDir, ...skip });
    const bound = countDatasetTokens(file).tokens;
    expect(report.dataset.source).toBe("tokenizer");
    expect(report.dataset.tokens).toBeGreaterThan(10);
    expect(report.dataset.tokens).toBeLessThanOrEqual(bound);
  });

  it("the CLI prints the report as JSON", () => {
    const out = execFileSync("node", ["bin/localtune.js", "doctor", "--model", MODEL, "--tokens", "1000", "--no-calibrate", "--json"], {
      encoding: "utf8",
      env: { ...process.env, LOCALTUNE_CACHE_DIR: cacheDir },
    });
    const report = JSON.parse(out) as DoctorReport;
    expect(report.plans[0]!.tokens).toBe(1000);
    expect(report.plans[0]!.rungs).toHaveLength(PLANNED_RUNGS.length);
    expect(report.hardware.backend.statuses.length).toBe(4);
  });

  it("rejects an unknown shape with the list of known ones", async () => {
    await expect(runDoctor({ modelShape: "gpt-5", cacheDir, ...skip })).rejects.toThrow(/known shapes are smollm2-135m, qwen2.5-0.5b/);
  });
});
