// DAPT end to end on stories260K and the project's Maple Hill corpus: the loss falls, the exported GGUF gives our
// engine's logits in llama.cpp, runs are deterministic, an interrupted (Ctrl-C or kill -9) and resumed run repeats
// the uninterrupted loss sequence exactly, and a crashed child is reported.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EngineModel } from "../src/engine/model.js";
import { forwardLogits } from "../src/engine/forward.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { resumeTraining, RunFolder, startTraining, TrainingCrashedError, type TrainConfigInput, type TrainEvent } from "../src/train/index.js";
import { compareLogProbs, referenceLogProbs } from "./helpers/reference-logprobs.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-train-"));
const trainText = path.join(root, "train.txt");
const valText = path.join(root, "val.txt");
// A slice of the corpus keeps the runs short; the held-out stories never appear in training.
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
fs.writeFileSync(valText, fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 3_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");

const config = (out: string, extra: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  method: "full",
  model: STORIES_260K,
  data: [trainText],
  valData: [valText],
  out: path.join(root, out),
  steps: 8,
  ctx: 32,
  batch: 2,
  gradAccum: 2,
  lr: 2e-3,
  warmup: 2,
  threads: 1,
  evalEvery: 4,
  saveEvery: 2,
  ...extra,
});

const losses = (runDir: string) =>
  RunFolder.open(runDir)
    .readMetrics()
    .filter((r) => r.loss !== undefined)
    .map((r) => [r.step, r.loss]);

describe("DAPT (full fine-tuning)", () => {
  let baseline: Array<Array<number | undefined>> = [];

  it("lowers the validation loss and exports a GGUF whose logits in llama.cpp equal our engine's", async () => {
    const events: string[] = [];
    const { runDir, done } = await startTraining(config("base"), { onEvent: (e) => events.push(e.type) });
    expect(done.reason).toBe("completed");
    expect(events[0]).toBe("start");
    const metrics = RunFolder.open(runDir).readMetrics();
    const val = metrics.filter((r) => r.valLoss !== undefined).map((r) => r.valLoss!);
    expect(val).toHaveLength(2);
    expect(val[1]!).toBeLessThan(val[0]!);
    baseline = losses(runDir);
    expect(baseline).toHaveLength(8);
    const config_ = JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8")) as { lr: number; schedule: string };
    expect(config_).toMatchObject({ lr: 2e-3, schedule: "cosine" }); // fully resolved, defaults included

    const exported = done.output!;
    const before = await EngineModel.load(STORIES_260K, { threads: 1 });
    const after = await EngineModel.load(exported, { threads: 1 });
    const reference = await loadLlamaModel(exported, { gpu: "cpu" });
    const tokens = [1, ...(reference.tokenize("Pip the dragon lived on Maple Hill.") as number[])];
    const V = after.hparams.nVocab;
    const ours = forwardLogits(after, { tokens: Int32Array.from(tokens), sequences: 1 });
    const theirs = await referenceLogProbs(reference, tokens, V);
    for (let i = 0; i < tokens.length; i++) {
      const { maxDiff, logitRange } = compareLogProbs(ours.subarray(i * V, (i + 1) * V), theirs[i]!);
      expect(maxDiff / logitRange).toBeLessThan(1e-4);
    }
    // and the weights did change
    const old = forwardLogits(before, { tokens: Int32Array.from(tokens), sequences: 1 });
    expect(Math.max(...old.map((v, i) => Math.abs(v - ours[i]!)))).toBeGreaterThan(1e-2);
    await reference.dispose();
    before.dispose();
    after.dispose();
  });

  it("is deterministic: the same seed, data and threads give the same loss sequence", async () => {
    const { runDir } = await startTraining(config("again"));
    expect(losses(runDir)).toEqual(baseline);
  });

  it("Ctrl-C writes a checkpoint and stops; resume continues to the same loss sequence", async () => {
    const controller = new AbortController();
    const first = await startTraining(config("interrupted"), {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step" && e.step === 1) controller.abort();
      },
    });
    // The signal reaches the child while it keeps stepping: it stops after the step in progress (IPC latency may
    // let one more step finish).
    expect(first.done.reason).toBe("interrupted");
    expect(first.done.step).toBeLessThanOrEqual(3);
    expect(RunFolder.open(first.runDir).checkpointSteps()).toContain(first.done.step);
    const resumed = await resumeTraining(first.runDir);
    expect(resumed.done.reason).toBe("completed");
    expect(losses(first.runDir)).toEqual(baseline);
  });

  it("after kill -9 the run resumes from its last checkpoint and still repeats the loss sequence", async () => {
    let pid = 0;
    await expect(
      startTraining(config("killed"), {
        onEvent: (e) => {
          if (e.type === "start") pid = e.pid;
          if (e.type === "step" && e.step === 5) process.kill(pid, "SIGKILL");
        },
      }),
    ).rejects.toBeInstanceOf(TrainingCrashedError);
    const dir = path.join(root, "killed");
    expect(Math.max(...RunFolder.open(dir).checkpointSteps())).toBeLessThanOrEqual(5);
    await resumeTraining(dir);
    expect(losses(dir)).toEqual(baseline);
  });

  it("reports a crashed child (a native abort) with its exit signal and a way to resume", async () => {
    let pid = 0;
    const error = await startTraining(config("aborted"), {
      onEvent: (e) => {
        if (e.type === "start") pid = e.pid;
        if (e.type === "step" && e.step === 1) process.kill(pid, "SIGABRT");
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingCrashedError);
    expect((error as Error).message).toMatch(/killed by SIGABRT[\s\S]*train resume/);
  });

  it("turns activation checkpointing on by itself when only the checkpointed plan fits, with the same loss", async () => {
    type Start = Extract<TrainEvent, { type: "start" }>;
    const run = async (out: string, extra: Partial<TrainConfigInput>) => {
      let start: Start | undefined;
      const losses: number[] = [];
      await startTraining(config(out, { steps: 1, ctx: 256, batch: 8, gradAccum: 1, evalEvery: 0, saveEvery: 0, ...extra }), {
        onEvent: (e) => {
          if (e.type === "start") start = e;
          if (e.type === "step") losses.push(e.loss);
        },
      }).then((r) => r.done);
      return { start: start!, losses };
    };
    const toAllocate = (s: Start) => s.memoryPlan.totalBytes - s.memoryPlan.runtimeBytes;
    const plain = await run("auto-ckpt-plain", {});
    const asked = await run("auto-ckpt-asked", { checkpointActivations: true });
    expect(plain.start.checkpointActivations).toBe(false);
    expect(asked.start.checkpointingForMemory).toBe(false);
    // Activations of 2048 tokens dominate: checkpointing plans far less.
    expect(toAllocate(asked.start)).toBeLessThan(toAllocate(plain.start) - 32 * 2 ** 20);
    const previous = process.env.LOCALTUNE_MEMORY_LIMIT;
    process.env.LOCALTUNE_MEMORY_LIMIT = String(Math.round((toAllocate(plain.start) + toAllocate(asked.start)) / 2));
    try {
      const auto = await run("auto-ckpt-auto", {});
      expect(auto.start.checkpointActivations).toBe(true);
      expect(auto.start.checkpointingForMemory).toBe(true);
      expect(auto.losses).toEqual(plain.losses);
    } finally {
      if (previous === undefined) delete process.env.LOCALTUNE_MEMORY_LIMIT;
      else process.env.LOCALTUNE_MEMORY_LIMIT = previous;
    }
  });

  it("refuses to train when the memory plan does not fit, with the numbers", async () => {
    const previous = process.env.LOCALTUNE_MEMORY_LIMIT;
    process.env.LOCALTUNE_MEMORY_LIMIT = String(3 * 2 ** 20); // room for the weights only
    try {
      await expect(startTraining(config("no-memory"))).rejects.toThrow(/training \(weights, gradients, optimizer state and activations\) needs about [\d.]+ GiB but only 0\.00 GiB[\s\S]*Even with activation checkpointing[\s\S]*about [\d.]+ GiB/);
    } finally {
      if (previous === undefined) delete process.env.LOCALTUNE_MEMORY_LIMIT;
      else process.env.LOCALTUNE_MEMORY_LIMIT = previous;
    }
  });
});
