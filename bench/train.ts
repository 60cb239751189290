// `npm run bench:train`: tokens/s and peak RSS of training on the spike's reference config (d 576, ffn 1536, 9 heads
// / 3 kv, 8 layers, vocab 8192, 4 x 256 tokens a step, random weights) with the engine's Trainer: full fine-tuning
// and LoRA r=8 on F32, F16 and Q8_0 frozen bases. Each case runs in its own process so peak RSS is its own.
// Median step time after one warm-up step. `npm run bench:train -- full lora-f16` picks cases; BENCH_STEPS,
// BENCH_THREADS override; --json prints the results as JSON.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../src/arch/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { seededRandom } from "../src/engine/random.js";
import { Trainer } from "../src/engine/trainer.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { loraMethod } from "../src/methods/lora/index.js";
import { LoraOptionsSchema } from "../src/methods/lora/options.js";
import { median, peakRssBytes, printTable } from "./stats.js";

// The "-outprod" cases turn off the transposed-weight backward (engine/frozen-backward.ts) to measure what it buys.
const CASES: Record<string, { method: "full" | "lora"; base: GgmlType; backwardAsMulMat?: boolean }> = {
  full: { method: "full", base: GgmlType.F32 },
  "lora-f32": { method: "lora", base: GgmlType.F32 },
  "lora-f16": { method: "lora", base: GgmlType.F16 },
  "lora-f16-outprod": { method: "lora", base: GgmlType.F16, backwardAsMulMat: false },
  "lora-q8_0": { method: "lora", base: GgmlType.Q8_0 },
  "lora-q8_0-outprod": { method: "lora", base: GgmlType.Q8_0, backwardAsMulMat: false },
};
const threads = Number(process.env.BENCH_THREADS ?? 2);
const steps = Number(process.env.BENCH_STEPS ?? 5);
const T = 256;
const B = 4;

const single = process.env.BENCH_CASE;
if (single) {
  console.log(JSON.stringify(await runCase(single, process.env.BENCH_MODEL!)));
} else {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const chosen = names.length > 0 ? names : ["full", "lora-f32", "lora-f16", "lora-q8_0"];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-train-"));
  const results = [];
  for (const name of chosen) {
    if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(", ")}`);
    const file = path.join(dir, `reference-${CASES[name].base}.gguf`);
    if (!fs.existsSync(file)) {
      await writeRandomModel(file, { arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, nVocab: 8192, weightType: CASES[name].base, seed: 1 });
    }
    const out = execFileSync(process.execPath, [process.argv[1]!, "bench/train.ts"], { env: { ...process.env, BENCH_CASE: name, BENCH_MODEL: file }, encoding: "utf8" });
    results.push(JSON.parse(out.trim().split("\n").pop()!));
  }
  printTable(results.map((r) => ({ case: r.case, threads: r.threads, "tok/s (median)": r.tokensPerSecond.toFixed(0), "step s": r.medianStepSeconds.toFixed(2), "peak RSS MiB": r.peakRssMiB.toFixed(0), "runtime MiB": r.runtimeMiB.toFixed(0), "model MiB": r.modelMiB.toFixed(0), "compute MiB": r.computeBuffersMiB.toFixed(0), trainable: r.trainableParams })));
  if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
}

async function runCase(name: string, file: string) {
  const spec = CASES[name]!;
  const rssBeforeLoad = process.memoryUsage().rss;
  const model = await EngineModel.load(file, { threads, f32Weights: spec.method === "full" });
  const rssAfterLoad = process.memoryUsage().rss;
  const prepared = spec.method === "full" ? { trainable: [...model.weights].map(([n, tensor]) => ({ name: n, tensor })), hooks: {}, dispose: () => {} } : loraMethod.prepare(model, LoraOptionsSchema.parse({ rank: 8 }), 1);
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: T, batchSize: B, backwardAsMulMat: spec.backwardAsMulMat }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, prepared.hooks);
  const random = seededRandom(1);
  const N = T * B;
  const batch = {
    tokens: Int32Array.from({ length: N }, () => Math.floor(random() * 8192)),
    targets: Int32Array.from({ length: N }, () => Math.floor(random() * 8192)),
    weights: new Float32Array(N).fill(1 / N),
  };
  const seconds: number[] = [];
  for (let s = 0; s < steps + 1; s++) {
    const start = performance.now();
    trainer.beginStep();
    trainer.accumulate(batch);
    trainer.applyStep(1e-4);
    if (s > 0) seconds.push((performance.now() - start) / 1000); // step 0 page-faults the buffers in
  }
  const result = { case: name, threads, steps, trainableParams: trainer.parameterCount, medianStepSeconds: median(seconds), tokensPerSecond: N / median(seconds), peakRssMiB: peakRssBytes() / 2 ** 20,
    runtimeMiB: rssBeforeLoad / 2 ** 20, modelMiB: (rssAfterLoad - rssBeforeLoad) / 2 ** 20, computeBuffersMiB: trainer.computeBufferBytes() / 2 ** 20 };
  trainer.dispose();
  prepared.dispose();
  model.dispose();
  return result;
}
