// Gradient check for method tensors (prompt and prefix tuning): the Trainer's analytic gradient of a few entries of
// each trainable tensor against central finite differences of its own forward loss (pattern of gradients.test.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { DecoderHooks } from "../../src/engine/graph/hooks.js";
import { writeRandomModel, type RandomModelOptions } from "../../src/engine/random-model.js";
import { TEST_MODEL_SHAPES } from "./test-models.js";
import { EngineModel } from "../../src/engine/model.js";
import { seededRandom } from "../../src/engine/random.js";
import { Trainer, type MicroBatch, type TrainableTensor } from "../../src/engine/trainer.js";

const ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 };

/**
 * Writes the tiny random model of `arch` the gradient checks use: 2 blocks of width 16, a 40-token vocabulary (so a
 * probe's forward pass is cheap), and the sliding window the architecture's test model has (gemma3: 4, so 6-token
 * sequences cross it). `options` adds to or overrides that shape.
 */
export async function writeTinyModel(file: string, arch: string, options: Partial<RandomModelOptions> = {}): Promise<void> {
  const slidingWindow = TEST_MODEL_SHAPES[arch]?.slidingWindow;
  await writeRandomModel(file, { arch, nLayer: 2, nEmbd: 16, nFf: 24, nHead: 4, nHeadKv: 2, nVocab: 40, seed: 3, ...(slidingWindow ? { slidingWindow } : {}), ...options });
}

/** The tiny model of `arch` loaded with one thread; qwen3 with a head width other than E / H. */
export async function tinyModel(arch: "llama" | "qwen3"): Promise<EngineModel> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-fd-")), `${arch}.gguf`);
  await writeTinyModel(file, arch, arch === "qwen3" ? { headDim: 8 } : {});
  return EngineModel.load(file, { threads: 1 });
}

/** Random tokens and targets, the first token masked, weights normalised to a mean over the counted tokens. */
export function randomBatch(V: number, T: number, B: number, seed: number): MicroBatch {
  const random = seededRandom(seed);
  const N = T * B;
  const weights = new Float32Array(N).fill(1 / (N - 1));
  weights[0] = 0;
  return {
    tokens: Int32Array.from({ length: N }, () => Math.floor(random() * V)),
    targets: Int32Array.from({ length: N }, () => Math.floor(random() * V)),
    weights,
  };
}

/** Checks `probes` random entries of every trainable tensor; returns how many were checked and how many had |grad| > 1e-4. */
export function checkGradients(model: EngineModel, trainable: readonly TrainableTensor[], hooks: DecoderHooks, probes: number): { checked: number; nonZero: number } {
  const trainer = new Trainer(model, trainable, { sequenceLength: 6, batchSize: 2 }, ADAMW, hooks);
  const batch = randomBatch(model.hparams.nVocab, 6, 2, 11);
  trainer.beginStep();
  const loss = trainer.accumulate(batch);
  expect(trainer.evaluate(batch)).toBeCloseTo(loss, 5);
  const random = seededRandom(5);
  let checked = 0;
  let nonZero = 0;
  for (const { name, tensor } of trainable) {
    const grad = trainer.readGradient(name);
    const values = new Float32Array(grad.length);
    model.api.ggml_backend_tensor_get(tensor, values, 0, values.byteLength);
    for (let k = 0; k < probes; k++) {
      const i = Math.floor(random() * grad.length);
      const h = 1e-2;
      const probe = (delta: number) => {
        const changed = values.slice();
        changed[i] = values[i]! + delta;
        model.api.ggml_backend_tensor_set(tensor, changed, 0, changed.byteLength);
        return trainer.evaluate(batch);
      };
      const numeric = (probe(h) - probe(-h)) / (2 * h);
      model.api.ggml_backend_tensor_set(tensor, values, 0, values.byteLength);
      const analytic = grad[i]!;
      // float32 central differences: an absolute floor for tiny gradients, else relative.
      expect(Math.abs(analytic - numeric), `${name}[${i}] analytic ${analytic} numeric ${numeric}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
      if (Math.abs(numeric) > 1e-4) nonZero++;
      checked++;
    }
  }
  trainer.dispose();
  return { checked, nonZero };
}
