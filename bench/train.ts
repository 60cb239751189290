// `npm run bench:train`: tokens/s, peak RSS and achieved GFLOP/s of training with the engine's Trainer: full
// fine-tuning and LoRA r=8 on F32, F16 and Q8_0 frozen bases, random weights. Configs: the spike's reference config
// (d 576, ffn 1536, 9 heads / 3 kv, 8 layers, vocab 8192, 4 x 256 tokens a step; the default), stories260K's shapes,
// and Qwen2.5-0.5B's shapes (one sequence of 256 a step). Each case runs in its own process so peak RSS is its own.
// Median step time after one warm-up step. GFLOP/s counts the matmul and attention work of a step (see stepFlops) and
// is also given as a share of one large F32 mul_mat on this machine (bench/matmul-peak.ts).
//   npm run bench:train -- [--config reference|stories260k|qwen0.5b] [--json] [case ...]
// BENCH_STEPS and BENCH_THREADS override the defaults. The PyTorch side: bench/torch_reference.py (same configs).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../src/engine/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { seededRandom } from "../src/engine/random.js";
import { Trainer } from "../src/engine/trainer.js";
import type { ProductPrecision } from "../src/engine/product-precision.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { loraMethod } from "../src/methods/lora/index.js";
import { LoraOptionsSchema } from "../src/methods/lora/options.js";
import { matmulGflops } from "./matmul-peak.js";
import { median, peakRssBytes, printTable } from "./stats.js";

interface BenchConfig {
  nLayer: number;
  nEmbd: number;
  nFf: number;
  nHead: number;
  nHeadKv: number;
  nVocab: number;
  /** T tokens per sequence, B sequences per step. */
  T: number;
  B: number;
}

// Same shapes as bench/torch_reference.py's CONFIGS.
const CONFIGS: Record<string, BenchConfig> = {
  reference: { nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, nVocab: 8192, T: 256, B: 4 },
  stories260k: { nLayer: 5, nEmbd: 64, nFf: 172, nHead: 8, nHeadKv: 4, nVocab: 512, T: 256, B: 4 },
  "qwen0.5b": { nLayer: 24, nEmbd: 896, nFf: 4864, nHead: 14, nHeadKv: 2, nVocab: 151936, T: 256, B: 1 },
};

// The "-outprod" cases keep ggml's own out_prod backward (engine/out-prod-rewrite.ts off) to measure what it buys.
// The "-ckpt" cases train with activation checkpointing (engine/checkpointed-pass.ts); "-kl" with the quantized base
// also in kernel layouts (engine/weight-buffers.ts, --kernel-layouts).
const CASES: Record<string, { method: "full" | "lora"; base: GgmlType; backwardAsMulMat?: boolean; checkpointActivations?: boolean; kernelLayouts?: boolean; precision?: ProductPrecision }> = {
  full: { method: "full", base: GgmlType.F32 },
  "full-bf16": { method: "full", base: GgmlType.F32, precision: "bf16" },
  "full-q8": { method: "full", base: GgmlType.F32, precision: "q8" },
  "full-bf16-ckpt": { method: "full", base: GgmlType.F32, precision: "bf16", checkpointActivations: true },
  "lora-q8_0-bf16": { method: "lora", base: GgmlType.Q8_0, precision: "bf16" },
  "full-outprod": { method: "full", base: GgmlType.F32, backwardAsMulMat: false },
  "lora-f32": { method: "lora", base: GgmlType.F32 },
  "lora-f32-outprod": { method: "lora", base: GgmlType.F32, backwardAsMulMat: false },
  "lora-f16": { method: "lora", base: GgmlType.F16 },
  "lora-f16-outprod": { method: "lora", base: GgmlType.F16, backwardAsMulMat: false },
  "lora-q8_0": { method: "lora", base: GgmlType.Q8_0 },
  "lora-q8_0-outprod": { method: "lora", base: GgmlType.Q8_0, backwardAsMulMat: false },
  "full-ckpt": { method: "full", base: GgmlType.F32, checkpointActivations: true },
  "lora-f32-ckpt": { method: "lora", base: GgmlType.F32, checkpointActivations: true },
  "lora-f16-ckpt": { method: "lora", base: GgmlType.F16, checkpointActivations: true },
  "lora-q8_0-ckpt": { method: "lora", base: GgmlType.Q8_0, checkpointActivations: true },
  "lora-q8_0-kl": { method: "lora", base: GgmlType.Q8_0, kernelLayouts: true },
  "lora-q8_0-kl-ckpt": { method: "lora", base: GgmlType.Q8_0, kernelLayouts: true, checkpointActivations: true },
};
const threads = Number(process.env.BENCH_THREADS ?? 2);
const steps = Number(process.env.BENCH_STEPS ?? 5);
const configIndex = process.argv.indexOf("--config");
const configName = process.env.BENCH_CONFIG ?? (configIndex > 0 ? process.argv[configIndex + 1]! : "reference");
if (!CONFIGS[configName]) throw new Error(`unknown config ${configName}; configs: ${Object.keys(CONFIGS).join(", ")}`);
const config: BenchConfig = CONFIGS[configName];
const { T, B } = config;

/**
 * Multiply-add work of one training step, 2 FLOPs each. Forward: 2 per weight of every projection and the head per
 * token, and attention's two [T x T] products per head (ggml computes the masked half too). Backward: the input
 * gradients repeat the forward's work; full training adds the weight gradients (another forward's worth of
 * projections). LoRA's rank-8 products are left out (under 3% of the work here).
 */
function stepFlops(c: BenchConfig, full: boolean): number {
  const headDim = c.nEmbd / c.nHead;
  const kv = c.nHeadKv * headDim;
  const projections = c.nLayer * (2 * c.nEmbd * c.nEmbd + 2 * c.nEmbd * kv + 3 * c.nEmbd * c.nFf) + c.nVocab * c.nEmbd;
  const tokens = T * B;
  const linear = 2 * projections * tokens;
  const attention = c.nLayer * B * 2 * 2 * T * T * c.nEmbd;
  return full ? 3 * linear + 3 * attention : 2 * linear + 3 * attention;
}

const single = process.env.BENCH_CASE;
if (single) {
  console.log(JSON.stringify(await runCase(single, process.env.BENCH_MODEL!)));
} else {
  const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && all[i - 1] !== "--config");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-train-"));
  const peak = await matmulGflops(1536, 576, T * B, threads);
  const results = [];
  for (const name of names.length > 0 ? names : ["full", "lora-f32", "lora-f16", "lora-q8_0"]) {
    if (!CASES[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(", ")}`);
    const file = path.join(dir, `${configName}-${CASES[name].base}.gguf`);
    try {
      if (!fs.existsSync(file)) await writeRandomModel(file, { arch: "llama", ...config, weightType: CASES[name].base, seed: 1 });
    } catch (error) {
      // e.g. Q8_0 needs rows of a multiple of 32 values, and stories260K's ffn is 172 wide.
      console.log(`skipped ${name}: ${(error as Error).message}`);
      continue;
    }
    const out = execFileSync(process.execPath, [process.argv[1]!, "bench/train.ts"], { env: { ...process.env, BENCH_CASE: name, BENCH_MODEL: file, BENCH_CONFIG: configName }, encoding: "utf8" });
    const result = JSON.parse(out.trim().split("\n").pop()!);
    results.push({ ...result, matmulPeakGflops: peak, shareOfMatmulPeak: result.gflops / peak });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`config ${configName} (${JSON.stringify(config)}), ${threads} threads, ${os.cpus()[0]?.model ?? "CPU"}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`one F32 mul_mat [1536 x 576] x [576 x ${T * B}] in ggml: ${peak.toFixed(1)} GFLOP/s (median)`);
  printTable(
    results.map((r) => ({
      case: r.case,
      "tok/s (median)": r.tokensPerSecond.toFixed(0),
      "step s": r.medianStepSeconds.toFixed(2),
      "GFLOP/s": r.gflops.toFixed(1),
      "% of matmul": (100 * r.shareOfMatmulPeak).toFixed(0),
      "peak RSS MiB": r.peakRssMiB.toFixed(0),
      "runtime MiB": r.runtimeMiB.toFixed(0),
      "model MiB": r.modelMiB.toFixed(0),
      "compute MiB": r.computeBuffersMiB.toFixed(0),
      trainable: r.trainableParams,
    })),
  );
  if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2));
}

async function runCase(name: string, file: string) {
  const spec = CASES[name]!;
  const rssBeforeLoad = process.memoryUsage().rss;
  const model = await EngineModel.load(file, { threads, f32Weights: spec.method === "full", kernelLayouts: spec.kernelLayouts, plainCopies: spec.kernelLayouts });
  const rssAfterLoad = process.memoryUsage().rss;
  const prepared = spec.method === "full" ? { trainable: [...model.weights].map(([n, tensor]) => ({ name: n, tensor })), hooks: {}, dispose: () => {} } : loraMethod.prepare(model, LoraOptionsSchema.parse({ rank: 8 }), 1);
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: T, batchSize: B, backwardAsMulMat: spec.backwardAsMulMat, checkpointActivations: spec.checkpointActivations, precision: spec.precision }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, prepared.hooks);
  const random = seededRandom(1);
  const N = T * B;
  const batch = {
    tokens: Int32Array.from({ length: N }, () => Math.floor(random() * config.nVocab)),
    targets: Int32Array.from({ length: N }, () => Math.floor(random() * config.nVocab)),
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
  const result = { case: name, config: configName, threads, steps, gflops: stepFlops(config, spec.method === "full") / median(seconds) / 1e9, trainableParams: trainer.parameterCount, medianStepSeconds: median(seconds), tokensPerSecond: N / median(seconds), peakRssMiB: peakRssBytes() / 2 ** 20,
    runtimeMiB: rssBeforeLoad / 2 ** 20, modelMiB: (rssAfterLoad - rssBeforeLoad) / 2 ** 20, computeBuffersMiB: trainer.computeBufferBytes() / 2 ** 20 };
  trainer.dispose();
  prepared.dispose();
  model.dispose();
  return result;
}
