// The ladder on stories260K: the engine scorer agrees with node-llama-cpp and with `localtune ppl`'s code path, and a
// tiny ladder (prompt, LoRA r=2, DAPT; 4 steps each) writes report.md and report.html whose every number matches
// what the rung's own run folder holds (checkpoint, metrics.jsonl, exported model or adapter, eval.json).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { EngineModel } from "../src/engine/model.js";
import { measurePerplexity } from "../src/engine/measure-perplexity.js";
import { createLlamaEvalBackend } from "../src/eval/llama-scorer.js";
import { clozeCorrect } from "../src/eval/suite.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { createEngineEvalBackend, runLadder, type LadderResult } from "../src/ladder/index.js";
import type { RungEval } from "../src/ladder/evaluate-rung.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { formatCount, formatDuration } from "../src/report/format.js";
import { RunFolder } from "../src/train/index.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ladder-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
const heldOutFile = path.join(root, "heldout.txt");
const heldOut = fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 2_500);
fs.writeFileSync(heldOutFile, heldOut);
// 6 cloze and 2 QA items of the Maple Hill suite.
const suiteLines = fs.readFileSync("corpus/maple-hill/eval.jsonl", "utf8").split("\n").filter(Boolean);
const suite = path.join(root, "suite.jsonl");
fs.writeFileSync(suite, [...suiteLines.filter((l) => l.includes('"cloze"')).slice(0, 6), ...suiteLines.filter((l) => l.includes('"qa"')).slice(0, 2)].join("\n") + "\n");

const CTX = 32;
const BATCH = 2;

describe("engine scorer", () => {
  let vocab: LlamaModel;
  let llamaModel: LlamaModel;
  let engine: EngineModel;
  beforeAll(async () => {
    vocab = await loadLlamaModel(STORIES_260K, { gpu: "cpu", vocabOnly: true });
    llamaModel = await loadLlamaModel(STORIES_260K, { gpu: "cpu" });
    engine = await EngineModel.load(STORIES_260K, { threads: 1 });
  });
  afterAll(async () => {
    engine?.dispose();
    await llamaModel?.dispose();
    await vocab?.dispose();
  });

  it("generates greedily what node-llama-cpp generates, and scores log-probabilities alike", async () => {
    const ours = createEngineEvalBackend(engine, vocab, {}, { windowTokens: CTX, backend: "engine" });
    const theirs = await createLlamaEvalBackend(llamaModel, { contextSize: 128, threads: 1 });
    try {
      // Few tokens: node-llama-cpp keeps an F16 KV cache, whose rounding flips a near tie after ~7 tokens of the
      // second prompt (its logits agree with ours to 1e-4 with an F32 cache: test/parity.test.ts).
      for (const prompt of ["Once upon a time, there was a little girl named", "The dog ran to the"]) {
        expect(await ours.generator.complete(prompt, { maxTokens: 5 })).toBe(await theirs.generator.complete(prompt, { maxTokens: 5 }));
      }
      expect((await ours.generator.complete("Once upon a time, there was a little girl named", { maxTokens: 8, stop: ["."] })).trim()).toBe("Lily");
      const a = await ours.scorer.logprob("Once upon a time, there was", " a little girl");
      const b = await theirs.scorer.logprob("Once upon a time, there was", " a little girl");
      expect(a).toBeLessThan(0);
      expect(Math.abs(a - b)).toBeLessThan(1e-3 * Math.abs(b));
    } finally {
      await theirs.dispose();
    }
  });

  it("measures the same held-out perplexity as `localtune ppl` (same windows)", async () => {
    const ours = createEngineEvalBackend(engine, vocab, {}, { windowTokens: CTX, backend: "engine" });
    const reference = await measurePerplexity({ model: STORIES_260K, file: heldOutFile, ctx: CTX, threads: 1 });
    const measured = await ours.scorer.perplexity(heldOut);
    expect(measured.tokens).toBe(reference.scoredTokens);
    expect(measured.perplexity).toBeCloseTo(reference.perplexity, 6);
  });
});

describe("tiny ladder report", () => {
  const out = path.join(root, "ladder");
  let result: LadderResult;
  let markdown: string;
  let html: string;
  beforeAll(async () => {
    result = await runLadder({
      model: STORIES_260K,
      data: [trainText],
      suite,
      heldOut: heldOutFile,
      out,
      budget: String(4 * CTX * BATCH), // 4 steps of CTX x BATCH tokens
      methods: ["prompt", "lora-r2", "dapt"],
      ctx: CTX,
      batch: BATCH,
      threads: 1,
    });
    markdown = fs.readFileSync(path.join(out, "report.md"), "utf8");
    html = fs.readFileSync(path.join(out, "report.html"), "utf8");
  }, 120_000);

  /** The cells of the report.md table row that starts with the label. */
  const row = (label: string) => {
    const line = markdown.split("\n").find((l) => l.startsWith(`| ${label} |`));
    expect(line, `a row for ${label}`).toBeDefined();
    return line!.split("|").slice(1, -1).map((c) => c.trim());
  };
  const readEval = (id: string) => JSON.parse(fs.readFileSync(path.join(out, "evals", `${id}.json`), "utf8")) as RungEval;

  it("has one row per rung, in order, in both files", () => {
    expect(result.input.runs.map((r) => r.method)).toEqual(["prompt", "lora-r2", "dapt"]);
    for (const run of result.input.runs) {
      row(run.label!);
      expect(html).toContain(run.label!);
    }
  });

  it("shows the cloze accuracy and QA scores that the rung's eval.json items give", () => {
    for (const run of result.input.runs) {
      const evaluation = readEval(run.method);
      const suiteItems = fs.readFileSync(suite, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string; answer?: string });
      const cloze = evaluation.items.filter((i) => i.kind === "cloze");
      expect(cloze).toHaveLength(6);
      // Re-checked from the generated text, not taken from the summary.
      const correct = cloze.filter((i) => clozeCorrect(i.output!, suiteItems.find((s) => s.id === i.id)!.answer!)).length;
      const cells = row(run.label!);
      expect(cells[8]).toBe(((100 * correct) / 6).toFixed(1));
      expect(evaluation.items.filter((i) => i.kind === "qa")).toHaveLength(2);
      expect(cells[7]).toBe(evaluation.summary.qa!.f1.toFixed(1));
    }
  });

  it("shows the baseline perplexity that `localtune ppl` measures on the base model", async () => {
    const reference = await measurePerplexity({ model: STORIES_260K, file: heldOutFile, ctx: CTX, threads: 1 });
    expect(row("prompt (baseline)")[5]).toBe(reference.perplexity.toFixed(2));
    expect(row("prompt (baseline)").slice(1, 5)).toEqual(["0", "0 s", "–", "–"]);
  });

  it("shows each training rung's parameters, time, throughput and loss curve from its run folder", () => {
    for (const id of ["lora-r2", "dapt"]) {
      const run = result.input.runs.find((r) => r.method === id)!;
      const folder = RunFolder.open(path.join(out, "runs", id));
      const config = folder.readConfig();
      expect(config.steps).toBe(4);
      const steps = folder.readMetrics().filter((r) => r.loss !== undefined);
      expect(run.lossCurve.map((p) => p.loss)).toEqual(steps.map((r) => r.loss));
      // Trainable parameters: the elements of the trained tensors stored in the final checkpoint.
      const checkpoint = readGguf(folder.checkpointPath(folder.checkpointSteps().at(-1)!));
      const params = checkpoint.tensors.filter((t) => !/\.adam_[mv]$/.test(t.name)).reduce((s, t) => s + t.elementCount, 0);
      const seconds = steps.at(-1)!.elapsedSeconds;
      const cells = row(run.label!);
      expect(cells[1]).toBe(formatCount(params));
      expect(cells[2]).toBe(formatDuration(seconds));
      expect(cells[3]).toBe(((4 * CTX * BATCH) / seconds).toFixed(0));
      expect(cells[4]).toMatch(/MiB$/);
      expect(html).toContain(formatCount(params));
    }
    // LoRA r=2 on stories260K: 5 layers x 2 x (q 64+64, k 64+32, v 64+32, o 64+64, gate/up 64+172 twice, down 172+64).
    expect(row("LoRA r=2")[1]).toBe(formatCount(5 * 2 * (128 + 96 + 96 + 128 + 3 * 236)));
  });

  it("scores DAPT as its exported GGUF model scores, and LoRA as llama.cpp with its exported adapter", async () => {
    const dapt = await measurePerplexity({ model: path.join(out, "runs", "dapt", "model", "model.gguf"), file: heldOutFile, ctx: CTX, threads: 1 });
    expect(readEval("dapt").perplexity!.perplexity).toBeCloseTo(dapt.perplexity, 4);
    expect(row("DAPT (full)")[5]).toBe(dapt.perplexity.toFixed(2));
    expect(dapt.perplexity).toBeLessThan(readEval("prompt").perplexity!.perplexity);

    const llama = await loadLlamaModel(STORIES_260K, { gpu: "cpu" });
    const backend = await createLlamaEvalBackend(llama, { contextSize: CTX, threads: 1, loraPath: path.join(out, "runs", "lora-r2", "adapter", "adapter.gguf") });
    try {
      const reference = (await backend.scorer.perplexity(heldOut)).perplexity;
      expect(Math.abs(readEval("lora-r2").perplexity!.perplexity - reference)).toBeLessThan(1e-3 * reference);
    } finally {
      await backend.dispose();
      await llama.dispose();
    }
  });

  it("states the seeds, versions and machine", () => {
    for (const text of ["train=42", "few-shot=42", "localtune 0.1.0", "node-llama-cpp 3.21.1", "ggml ", "logical cores", "RAM", os.cpus()[0]!.model.trim()]) {
      expect(markdown).toContain(text);
    }
  });
});

describe("time budget", () => {
  it("stops a rung when its time is spent, and scores what it trained", async () => {
    const out = path.join(root, "ladder-time");
    const { input } = await runLadder({ model: STORIES_260K, data: [trainText], suite, out, budget: "2s", methods: ["lora-r2"], ctx: CTX, batch: BATCH, threads: 1 });
    const run = input.runs[0]!;
    const folder = RunFolder.open(path.join(out, "runs", "lora-r2"));
    const steps = folder.checkpointSteps().at(-1)!;
    expect(run.lossCurve).toHaveLength(steps);
    expect(steps).toBeGreaterThan(1);
    // The clock starts after the model loads and stops the run after the step it is in.
    expect(run.trainSeconds).toBeGreaterThanOrEqual(2);
    expect(run.trainSeconds).toBeLessThan(2 + 5);
    expect(run.notes).toMatch(/constant; stopped by the clock/);
    expect(run.clozeAccuracy).not.toBeNull();
  });
});
