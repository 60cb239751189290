// `npm run bench:generate`: decode tokens/s of localtune's two generation paths (TextGenerator over node-llama-cpp,
// and over our ggml engine with its key/value cache, which prompt/prefix-tuning adapters use) beside node-llama-cpp's
// own LlamaCompletion on the same model, prompt, context and threads. Greedy, fixed token count, runs interleaved
// (ours, theirs, engine, ours...) so load on the machine hits all alike; medians are quoted.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LlamaCompletion } from "node-llama-cpp";
import { writeRandomModel } from "../src/arch/random-model.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { EngineGenerator, LlamaModelHost, resolveSampling } from "../src/prompt/index.js";
import { median, printTable } from "./stats.js";

const threads = Number(process.env.BENCH_THREADS ?? 1);
const repeats = Number(process.env.BENCH_REPEATS ?? 7);
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
}

const rows: Array<Record<string, string | number>> = [];
for (const c of cases) {
  const file = await c.file();
  const host = await LlamaModelHost.open(file, { gpu, threads, contextSize: 1024 });
  const ours = await host.generator();
  const sampling = resolveSampling({ temperature: 0, maxTokens, seed: 1 });
  // node-llama-cpp's own path: a second context with the same settings, LlamaCompletion called directly.
  const context = await host.model.createContext({ contextSize: 1024, threads });
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  const promptTokens = host.model.tokenize(prompt);
  const engine = await EngineGenerator.open(file, { gpu, threads, contextSize: 1024 });

  const runOurs = async (): Promise<Run> => {
    const r = await ours.generate({ prompt, sampling, onText: () => undefined });
    return { tokens: r.completionTokens, decodeTps: r.tokensPerSecond, totalTps: (r.completionTokens * 1000) / r.durationMs };
  };
  const runEngine = async (): Promise<Run> => {
    const r = await engine.generate({ prompt, sampling, onText: () => undefined });
    return { tokens: r.completionTokens, decodeTps: r.tokensPerSecond, totalTps: (r.completionTokens * 1000) / r.durationMs };
  };
  const runTheirs = async (): Promise<Run> => {
    let tokens = 0;
    let first: number | undefined;
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
    return { tokens, decodeTps: ((tokens - 1) * 1000) / (end - (first ?? end)), totalTps: (tokens * 1000) / (end - start) };
  };

  await runOurs();
  await runTheirs();
  await runEngine();
  const oursRuns: Run[] = [];
  const theirRuns: Run[] = [];
  const engineRuns: Run[] = [];
  for (let i = 0; i < repeats; i++) {
    oursRuns.push(await runOurs());
    theirRuns.push(await runTheirs());
    engineRuns.push(await runEngine());
  }
  const m = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]));
  const ratio = m(oursRuns, "decodeTps") / m(theirRuns, "decodeTps");
  const engineRatio = m(engineRuns, "decodeTps") / m(theirRuns, "decodeTps");
  rows.push(
    { model: c.name, path: "localtune generate (node-llama-cpp)", tokens: m(oursRuns, "tokens"), "decode tok/s": m(oursRuns, "decodeTps").toFixed(0), "total tok/s": m(oursRuns, "totalTps").toFixed(0), "vs node-llama-cpp": `${(ratio * 100).toFixed(1)}%` },
    { model: c.name, path: "node-llama-cpp LlamaCompletion", tokens: m(theirRuns, "tokens"), "decode tok/s": m(theirRuns, "decodeTps").toFixed(0), "total tok/s": m(theirRuns, "totalTps").toFixed(0), "vs node-llama-cpp": "100%" },
    { model: c.name, path: "localtune engine, KV cache (prompt/prefix tuning)", tokens: m(engineRuns, "tokens"), "decode tok/s": m(engineRuns, "decodeTps").toFixed(0), "total tok/s": m(engineRuns, "totalTps").toFixed(0), "vs node-llama-cpp": `${(engineRatio * 100).toFixed(1)}%` },
  );
  await engine.dispose();
  await context.dispose();
  await host.dispose();
}
console.log(`generation, greedy, ${maxTokens} tokens from "${prompt}", ${threads} thread(s), ${gpu}, median of ${repeats} interleaved runs`);
printTable(rows);
fs.rmSync(tmp, { recursive: true, force: true });
