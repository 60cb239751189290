// `npm run bench:train`: tokens/s and peak RSS of full fine-tuning on the spike's reference config (d 576, ffn 1536,
// 9 heads / 3 kv, 8 layers, vocab 8192, 4 x 256 tokens a step, random weights), with the engine's Trainer in this
// process. Median over the timed steps, after warm-up. BENCH_STEPS, BENCH_THREADS override.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../src/arch/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { seededRandom } from "../src/engine/random.js";
import { Trainer } from "../src/engine/trainer.js";
import { median, peakRssBytes, printTable } from "./stats.js";

const threads = Number(process.env.BENCH_THREADS ?? 2);
const steps = Number(process.env.BENCH_STEPS ?? 6);
const T = 256;
const B = 4;
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-train-")), "reference.gguf");
await writeRandomModel(file, { arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, nVocab: 8192, seed: 1 });

const model = await EngineModel.load(file, { threads, f32Weights: true });
const trainable = [...model.weights].map(([name, tensor]) => ({ name, tensor }));
const trainer = new Trainer(model, trainable, { sequenceLength: T, batchSize: B }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
const random = seededRandom(1);
const N = T * B;
const batch = {
  tokens: Int32Array.from({ length: N }, () => Math.floor(random() * 8192)),
  targets: Int32Array.from({ length: N }, () => Math.floor(random() * 8192)),
  weights: new Float32Array(N).fill(1 / N),
};
const seconds: number[] = [];
const losses: number[] = [];
for (let s = 0; s < steps + 1; s++) {
  const start = performance.now();
  trainer.beginStep();
  losses.push(trainer.accumulate(batch));
  trainer.applyStep(1e-4);
  if (s > 0) seconds.push((performance.now() - start) / 1000); // step 0 warms caches and page-faults buffers in
}
const tokensPerSecond = N / median(seconds);
const result = {
  config: "full fine-tune, d576 ffn1536 9/3 heads 8 layers vocab 8192, 4x256 tokens/step, F32",
  threads,
  steps,
  trainableParams: trainer.parameterCount,
  medianStepSeconds: median(seconds),
  tokensPerSecond,
  peakRssMiB: peakRssBytes() / 2 ** 20,
  computeBufferMiB: trainer.computeBufferBytes() / 2 ** 20,
  firstLoss: losses[0],
  lastLoss: losses[losses.length - 1],
};
printTable([{ case: "full FT reference", threads, "tok/s (median)": tokensPerSecond.toFixed(0), "step s": median(seconds).toFixed(2), "peak RSS MiB": result.peakRssMiB.toFixed(0), params: result.trainableParams }]);
if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
trainer.dispose();
model.dispose();
