// `npm run bench:forward`: our engine's forward tokens/s beside node-llama-cpp's prompt processing, same model, same
// batch of tokens, same thread count, measured side by side in one process. Medians of repeated runs. Our engine runs
// twice: weights in the plain layout (as training holds them) and with kernel layouts (as inference loads them).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../src/engine/random-model.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { median, printTable, timeRuns } from "./stats.js";

const threads = Number(process.env.BENCH_THREADS ?? 2);
const repeats = Number(process.env.BENCH_REPEATS ?? 5);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-"));
const vocab = path.resolve("test/fixtures/vocab/ggml-vocab-llama-spm.gguf");

const cases: Array<{ name: string; file: () => Promise<string>; tokens: number }> = [
  { name: "stories260K F32", file: async () => path.resolve("models/stories260K.gguf"), tokens: 256 },
  ...[GgmlType.F32, GgmlType.Q8_0].map((type) => ({
    name: `llama d576 L8 ${type === GgmlType.F32 ? "F32" : "Q8_0"}`,
    tokens: 256,
    file: async () => {
      const file = path.join(tmp, `ref-${type}.gguf`);
      await writeRandomModel(file, { arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, vocabFile: vocab, weightType: type, seed: 1 });
      return file;
    },
  })),
];

const rows: Array<Record<string, string | number>> = [];
const results: unknown[] = [];
for (const c of cases) {
  const file = await c.file();
  const tokens = Int32Array.from({ length: c.tokens }, (_, i) => 100 + ((i * 7919) % 300));

  const engine = await EngineModel.load(file, { threads });
  const ours = await timeRuns(repeats, 1, () => forwardLogits(engine, { tokens, sequences: 1, outputRows: Int32Array.of(c.tokens - 1) }));
  engine.dispose();
  // Inference places quantized weights in the CPU's AMX / repacked buffers (engine/weight-buffers.ts); training cannot.
  const fast = await EngineModel.load(file, { threads, kernelLayouts: true });
  const placed = fast.kernelLayoutWeights.size;
  const oursFast = await timeRuns(repeats, 1, () => forwardLogits(fast, { tokens, sequences: 1, outputRows: Int32Array.of(c.tokens - 1) }));
  fast.dispose();

  const model = await loadLlamaModel(file, { gpu: "cpu" });
  const context = await model.createContext({ contextSize: c.tokens + 16, batchSize: c.tokens, threads });
  const sequence = context.getSequence();
  const theirs = await timeRuns(repeats, 1, async () => {
    await sequence.clearHistory();
    await sequence.evaluateWithoutGeneratingNewTokens(Array.from(tokens) as never);
  });
  await context.dispose();
  await model.dispose();

  const oursTps = c.tokens / median(ours);
  const fastTps = c.tokens / median(oursFast);
  const theirsTps = c.tokens / median(theirs);
  rows.push({
    model: c.name,
    tokens: c.tokens,
    threads,
    "localtune tok/s (plain)": oursTps.toFixed(0),
    "localtune tok/s (kernel layouts)": `${fastTps.toFixed(0)} (${placed} weights)`,
    "node-llama-cpp tok/s": theirsTps.toFixed(0),
    "ratio (kernel layouts)": (fastTps / theirsTps).toFixed(2),
  });
  results.push({ model: c.name, tokens: c.tokens, threads, oursTokensPerSecond: oursTps, oursKernelLayoutsTokensPerSecond: fastTps, kernelLayoutWeights: placed, nodeLlamaCppTokensPerSecond: theirsTps });
}
printTable(rows);
if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
