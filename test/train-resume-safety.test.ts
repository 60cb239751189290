// Issue 20, findings 3 and 8: `train resume` continues on the files the run started with (recorded by absolute path
// and fingerprint, whatever the current folder) or refuses with what changed; one trainer per run (a lock with the
// PID, a dead trainer's lock taken over); leftovers of a killed process removed; no step logged twice after a kill
// before the first checkpoint; a damaged newest checkpoint set aside for the one before it. Every resumed run must
// repeat the loss sequence of an uninterrupted run.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LockHeldError, RunInputsChangedError } from "../src/errors.js";
import { resumeTraining, RunFolder, startTraining, TrainingCrashedError, type TrainConfigInput } from "../src/train/index.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-resume-safety-")));
const corpus = fs.readFileSync("corpus/maple-hill/train.txt", "utf8");
const homeA = path.join(root, "a");
const homeB = path.join(root, "b");
fs.mkdirSync(homeA);
fs.mkdirSync(homeB);
fs.writeFileSync(path.join(homeA, "train.txt"), corpus.slice(0, 12_000));
// Another folder with the same relative names and other text: what a resume from there used to train on.
fs.writeFileSync(path.join(homeB, "train.txt"), corpus.slice(40_000, 52_000));
for (const home of [homeA, homeB]) fs.copyFileSync(STORIES_260K, path.join(home, "model.gguf"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const cwd = process.cwd();
afterAll(() => {
  process.chdir(cwd);
  fs.rmSync(root, { recursive: true, force: true });
});

const config = (out: string, extra: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  method: "full",
  model: path.join(homeA, "model.gguf"),
  data: [path.join(homeA, "train.txt")],
  out: path.join(root, out),
  steps: 6,
  ctx: 32,
  batch: 2,
  gradAccum: 1,
  lr: 2e-3,
  threads: 1,
  evalEvery: 0,
  saveEvery: 0,
  ...extra,
});
const stepRows = (dir: string) => RunFolder.open(dir).readMetrics().filter((r) => r.loss !== undefined);
const losses = (dir: string) => stepRows(dir).map((r) => [r.step, r.loss]);
/** Starts a run and stops it (Ctrl-C) after `step`, leaving a checkpoint there. */
async function interrupted(out: string, step: number, extra: Partial<TrainConfigInput> = {}, cwdFor?: string) {
  const controller = new AbortController();
  if (cwdFor) process.chdir(cwdFor);
  try {
    const run = await startTraining(config(out, extra), { signal: controller.signal, onEvent: (e) => e.type === "step" && e.step === step && controller.abort() });
    expect(run.done.reason).toBe("interrupted");
    return run.runDir;
  } finally {
    process.chdir(cwd);
  }
}

let baseline: Array<Array<number | undefined>> = [];
beforeAll(async () => {
  const { runDir } = await startTraining(config("baseline"));
  baseline = losses(runDir);
  expect(baseline).toHaveLength(6);
}, 300_000);

describe("train resume uses the run's own inputs (finding 3)", () => {
  it("records absolute paths: resumed from another folder with other files at the same relative paths, it trains on the original ones", async () => {
    const runDir = await interrupted("relative", 2, { model: "model.gguf", data: ["train.txt"] }, homeA);
    const saved = JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8"));
    expect(saved.model).toBe(path.join(homeA, "model.gguf"));
    expect(saved.data).toEqual([path.join(homeA, "train.txt")]);
    process.chdir(homeB);
    try {
      expect((await resumeTraining(runDir)).done.reason).toBe("completed");
    } finally {
      process.chdir(cwd);
    }
    expect(losses(runDir)).toEqual(baseline);
  });

  it("refuses when the data or the model changed since the start, and says which", async () => {
    fs.writeFileSync(path.join(root, "own-train.txt"), corpus.slice(0, 12_000));
    const runDir = await interrupted("changed", 2, { data: [path.join(root, "own-train.txt")] });
    fs.appendFileSync(path.join(root, "own-train.txt"), " one more sentence.");
    const error = await resumeTraining(runDir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunInputsChangedError);
    expect((error as Error).message).toMatch(/data .*own-train\.txt changed \(12000 -> 12019 bytes\)/);
    expect((error as RunInputsChangedError).ko).toContain("바뀌었습니다");
  });
});

describe("train resume after kills and crashes (finding 8)", () => {
  it("a second resume of a run that is training is refused, naming the training process", async () => {
    const runDir = await interrupted("twice", 1, { steps: 400 });
    const controller = new AbortController();
    let firstStep!: () => void;
    const stepping = new Promise<void>((resolve) => (firstStep = resolve));
    const first = resumeTraining(runDir, { signal: controller.signal, onEvent: (e) => e.type === "step" && firstStep() });
    await stepping;
    const owner = JSON.parse(fs.readFileSync(path.join(runDir, "train.lock"), "utf8")).pid as number;
    const second = await resumeTraining(runDir).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(LockHeldError);
    expect((second as Error).message).toContain(`process ${owner}`);
    controller.abort();
    expect((await first).done.reason).toBe("interrupted");
    expect(fs.existsSync(path.join(runDir, "train.lock"))).toBe(false);
  });

  it("takes over the lock of a dead trainer and removes its temporary files, with a note for each", async () => {
    const runDir = await interrupted("leftovers", 2);
    const dead = await deadPid();
    fs.writeFileSync(path.join(runDir, "train.lock"), JSON.stringify({ pid: dead, host: os.hostname(), since: "2026-01-01T00:00:00Z" }));
    const leftovers = [path.join(runDir, "checkpoints", `.step-00000004.gguf.${dead}.1767225600000.tmp`), path.join(runDir, `.metrics.jsonl.${dead}.tmp`)];
    for (const file of leftovers) fs.writeFileSync(file, "half");
    const notes: string[] = [];
    const resumed = await resumeTraining(runDir, { onNote: (n) => notes.push(n.en) });
    expect(resumed.done.reason).toBe("completed");
    expect(notes.join("\n")).toMatch(/took over the lock .*train\.lock left by process \d+/);
    expect(notes.join("\n")).toMatch(/removed 2 temporary file\(s\)/);
    for (const file of leftovers) expect(fs.existsSync(file)).toBe(false);
    expect(losses(runDir)).toEqual(baseline);
  });

  it("a kill -9 before the first checkpoint leaves no step twice in metrics.jsonl", async () => {
    let pid = 0;
    await expect(
      startTraining(config("early-kill", { saveEvery: 0 }), {
        onEvent: (e) => {
          if (e.type === "start") pid = e.pid;
          if (e.type === "step" && e.step === 3) process.kill(pid, "SIGKILL");
        },
      }),
    ).rejects.toBeInstanceOf(TrainingCrashedError);
    const runDir = path.join(root, "early-kill");
    expect(RunFolder.open(runDir).checkpointSteps()).toEqual([]);
    await resumeTraining(runDir);
    const steps = stepRows(runDir).map((r) => r.step);
    expect(steps).toEqual([...new Set(steps)]);
    expect(losses(runDir)).toEqual(baseline);
  });

  it("a damaged newest checkpoint is set aside and the one before it is used", async () => {
    const runDir = await interrupted("damaged", 3, { saveEvery: 1, keepCheckpoints: 2 });
    const folder = RunFolder.open(runDir);
    const [older, newest] = folder.checkpointSteps().slice(-2) as [number, number];
    const file = folder.checkpointPath(newest);
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    let resumedFrom: number | null = null;
    const notes: string[] = [];
    await resumeTraining(runDir, { onEvent: (e) => e.type === "start" && (resumedFrom = e.resumedFromStep), onNote: (n) => notes.push(n.en) });
    expect(resumedFrom).toBe(older);
    expect(fs.existsSync(`${file}.broken`)).toBe(true);
    expect(notes.join("\n")).toMatch(new RegExp(`checkpoint of step ${newest} cannot be read`));
    expect(losses(runDir)).toEqual(baseline);
  });
});

/** The PID of a process that has just exited (and is reaped), so no live process has it. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.on("exit", resolve));
  return child.pid!;
}
