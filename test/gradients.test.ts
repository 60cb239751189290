// Golden test of the backward pass: gradients from the engine's training graph equal central finite differences of
// the loss for every kind of tensor (embedding, norms, projections, biases, q/k norms, output head).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeRandomModel } from "../src/arch/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { Trainer, type MicroBatch } from "../src/engine/trainer.js";
import { seededRandom } from "../src/engine/random.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-grad-"));

function batchFor(V: number, T: number, B: number, seed: number): MicroBatch {
  const random = seededRandom(seed);
  const N = T * B;
  const tokens = Int32Array.from({ length: N }, () => Math.floor(random() * V));
  const targets = Int32Array.from({ length: N }, () => Math.floor(random() * V));
  // Mask one token to check masked rows contribute nothing; weights normalise to a mean over counted tokens.
  const weights = new Float32Array(N).fill(1 / (N - 1));
  weights[0] = 0;
  return { tokens, targets, weights };
}

describe("backward pass", () => {
  for (const arch of ["llama", "qwen2", "qwen3"] as const) {
    it(`${arch}: gradients equal finite differences`, async () => {
      const file = path.join(dir, `${arch}.gguf`);
      await writeRandomModel(file, { arch, nLayer: 2, nEmbd: 16, nFf: 24, nHead: 4, nHeadKv: 2, nVocab: 40, tiedEmbeddings: arch === "qwen2", seed: 3 });
      const model = await EngineModel.load(file, { threads: 1, f32Weights: true });
      const names = [...model.weights.keys()];
      const trainer = new Trainer(model, names.map((name) => ({ name, tensor: model.weights.get(name)! })), { sequenceLength: 6, batchSize: 2 }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 });
      const batch = batchFor(40, 6, 2, 11);
      trainer.beginStep();
      const loss = trainer.accumulate(batch);
      expect(trainer.evaluate(batch)).toBeCloseTo(loss, 5);
      const random = seededRandom(5);
      let checked = 0;
      for (const name of names) {
        const tensor = model.weights.get(name)!;
        const grad = trainer.readGradient(name);
        const values = new Float32Array(grad.length);
        model.api.ggml_backend_tensor_get(tensor, values, 0, values.byteLength);
        for (let k = 0; k < 3; k++) {
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
          // float32 central differences: absolute floor for tiny gradients, else relative.
          expect(Math.abs(analytic - numeric), `${name}[${i}] analytic ${analytic} numeric ${numeric}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(numeric));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
      trainer.dispose();
      model.dispose();
    });
  }

  it("two identical accumulation windows give identical gradients (accumulators are cleared: FINDINGS trap 5)", async () => {
    const file = path.join(dir, "llama.gguf");
    const model = await EngineModel.load(file, { threads: 1, f32Weights: true });
    const name = "blk.0.attn_q.weight";
    const trainer = new Trainer(model, [{ name, tensor: model.weights.get(name)! }], { sequenceLength: 6, batchSize: 2 }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 });
    const batch = batchFor(40, 6, 2, 12);
    trainer.beginStep();
    trainer.accumulate(batch);
    const first = trainer.readGradient(name);
    trainer.beginStep();
    trainer.accumulate(batch);
    expect(trainer.readGradient(name)).toEqual(first);
    // Two micro-batches in one window add up.
    trainer.accumulate(batch);
    const doubled = trainer.readGradient(name);
    for (let i = 0; i < first.length; i += 17) expect(doubled[i]).toBeCloseTo(2 * first[i]!, 5);
    trainer.dispose();
    model.dispose();
  });
});
