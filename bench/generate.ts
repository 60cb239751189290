// `npm run bench:generate`: decode tokens/s of localtune's two generation paths (TextGenerator over node-llama-cpp,
// and over our ggml engine with its key/value cache, which prompt/prefix-tuning adapters use) beside node-llama-cpp's
// own LlamaCompletion on the same model, prompt and threads. Greedy, fixed token count, medians quoted.
// Fairness traps, measured: (1) two contexts of one model are not alike: the one created first ran 5% slower (25%
// after another model was loaded and freed in the process), whichever path used it, so node-llama-cpp's own
// LlamaCompletion runs on the very sequence our wrapper uses (taken from its pool between our runs); (2) a run right
// after an engine run is about 10% slower (the engine's own copy of the weights pushes llama.cpp's out of the CPU
// cache), so each repeat takes the next of the six orders of the three paths and each follows the others equally.
// Wall-clock tok/s on a loaded machine also counts time spent waiting for a core, so CPU time per token
// (process.cpuUsage, one thread) is reported beside it: what each path itself costs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LlamaCompletion } from "node-llama-cpp";
import { writeRandomModel } from "../src/engine/random-model.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { EngineGenerator, LlamaModelHost, resolveSampling } from "../src/prompt/index.js";
import { median, printTable } from "./stats.js";

const threads = Number(process.env.BENCH_THREADS ?? 1);
const repeats = Number(process.env.BENCH_REPEATS ?? 12);
const maxTokens = Number(process.env.BENCH_TOKENS ?? 256);
const gpu = (process.env.BENCH_GPU ?? "cpu") as "cpu" | "auto";
const prompt = "Once upon a time";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-gen-"));

const cases: Array<{ name: string; file: () => Promise<string> }> = [
  { name: "stories260K F32", file: async () => path.resolve("models/stories260K.gguf") },
  {
    // Random weights: the text is noise, but the per-token work is that of a small real model (about 40M weights).
    name: "llama d576 L8 Q8_0 (random)",
    file: async () => {
      const file = path.join(tmp, "random-q8.gguf");
      await writeRandomModel(file, {
        arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3,
        vocabFile: path.resolve("test/fixtures/vocab/ggml-vocab-llama-spm.gguf"), weightType: GgmlType.Q8_0, seed: 1,
      });
      return file;
    },
  },
];

interface Run {
  tokens: number;
  /** Decode tokens/s: tokens after the first over the time after the first (prompt evaluation excluded). */
  decodeTps: number;
  /** All tokens over the whole call, prompt evaluation included. */
  totalTps: number;
  /** Process CPU milliseconds per generated token over the whole call. */
  cpuMs: number;
}

/** Runs one generation and adds the process CPU time it took, per generated token. */
async function withCpu(run: () => Promise<Omit<Run, "cpuMs">>): Promise<Run> {
  const before = process.cpuUsage();
  const r = await run();
  const used = process.cpuUsage(before);
  return { ...r, cpuMs: (used.user + used.system) / 1000 / r.tokens };
}

const rows: Array<Record<string, string | number>> = [];
for (const c of cases) {
  const file = await c.file();
  const host = await LlamaModelHost.open(file, { gpu, threads, contextSize: 1024 });
  const ours = await host.generator();
  const sampling = resolveSampling({ temperature: 0, maxTokens, seed: 1 });
  const promptTokens = host.model.tokenize(prompt);
  const engine = await EngineGenerator.open(file, { gpu, threads, contextSize: 1024 });

  const runOurs = () => withCpu(async () => {
    const r = await ours.generate({ prompt, sampling, onText: () => undefined });
    return { tokens: r.completionTokens, decodeTps: r.tokensPerSecond, totalTps: (r.completionTokens * 1000) / r.durationMs };
  });
  const runEngine = () => withCpu(async () => {
    const r = await engine.generate({ prompt, sampling, onText: () => undefined });
    return { tokens: r.completionTokens, decodeTps: r.tokensPerSecond, totalTps: (r.completionTokens * 1000) / r.durationMs };
  });
  const runTheirs = () => withCpu(async () => {
    let tokens = 0;
    let first: number | undefined;
    // node-llama-cpp's own path on our context's sequence: LlamaCompletion called directly, its defaults kept.
    const sequence = (await ours.pool.acquire())!;
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    const start = performance.now();
    await completion.generateCompletion(promptTokens, {
      temperature: 0,
      maxTokens,
      repeatPenalty: false,
      onTextChunk: () => undefined,
      onToken: (t) => {
        first ??= performance.now();
        tokens += t.length;
      },
    });
    const end = performance.now();
    completion.dispose({ disposeSequence: false });
    ours.pool.release(sequence);
    return { tokens, decodeTps: ((tokens - 1) * 1000) / (end - (first ?? end)), totalTps: (tokens * 1000) / (end - start) };
  });

  const paths = [
    { name: "localtune generate (node-llama-cpp)", run: runOurs, runs: [] as Run[] },
    { name: "node-llama-cpp LlamaCompletion", run: runTheirs, runs: [] as Run[] },
    { name: "localtune engine, KV cache (prompt/prefix tuning)", run: runEngine, runs: [] as Run[] },
  ];
  for (const p of paths) await p.run();
  // Over every six repeats each path follows each other path equally often (block boundaries included).
  const orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  for (let i = 0; i < repeats; i++) {
    for (const j of orders[i % orders.length]!) paths[j]!.runs.push(await paths[j]!.run());
  }
  const m = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]));
  const theirs = paths[1]!.runs;
  const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const p of paths) {
    rows.push({
      model: c.name,
      path: p.name,
      tokens: m(p.runs, "tokens"),
      "decode tok/s": m(p.runs, "decodeTps").toFixed(0),
      "total tok/s": m(p.runs, "totalTps").toFixed(0),
      "decode vs node-llama-cpp": percent(m(p.runs, "decodeTps") / m(theirs, "decodeTps")),
      "CPU ms/token": m(p.runs, "cpuMs").toFixed(3),
      "CPU speed vs node-llama-cpp": percent(m(theirs, "cpuMs") / m(p.runs, "cpuMs")),
    });
  }
  await engine.dispose();
  await host.dispose();
}
console.log(`generation, greedy, ${maxTokens} tokens from "${prompt}", ${threads} thread(s), ${gpu}, median of ${repeats} interleaved runs`);
printTable(rows);
fs.rmSync(tmp, { recursive: true, force: true });
