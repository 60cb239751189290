// Golden test of the backward pass: gradients from the engine's training graph equal central finite differences of
// the loss for every kind of tensor (embedding, norms, projections, biases, q/k norms, output head).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ARCHITECTURES } from "../src/arch/registry.js";
import { isTrainableTensor } from "../src/arch/types.js";
import { writeRandomModel } from "../src/engine/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { Trainer, type TrainableTensor } from "../src/engine/trainer.js";
import { seededRandom } from "../src/engine/random.js";
import { checkGradients, randomBatch, writeTinyModel } from "./helpers/finite-differences.js";
import { relativeL2 } from "./helpers/relative-error.js";
import { testModelPath } from "./helpers/test-models.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { loraMethod } from "../src/methods/lora/index.js";
import { LoraOptionsSchema } from "../src/methods/lora/options.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-grad-"));

/** LoRA's B starts at zero, which hides A's gradient: give every B values so both factors are tested. */
function fillLoraB(model: EngineModel, trainable: readonly TrainableTensor[]): void {
  const random = seededRandom(9);
  for (const t of trainable) {
    if (!t.name.endsWith("lora_b")) continue;
    const n = model.api.ggml_nelements(t.tensor);
    model.api.ggml_backend_tensor_set(t.tensor, Float32Array.from({ length: n }, () => random() - 0.5), 0, n * 4);
  }
}

describe("backward pass", () => {
  for (const { name: arch } of ARCHITECTURES) {
    it(`${arch}: gradients equal finite differences`, async () => {
      const file = path.join(dir, `${arch}.gguf`);
      await writeTinyModel(file, arch, { tiedEmbeddings: arch === "qwen2" });
      const model = await EngineModel.load(file, { threads: 1, f32Weights: true });
      const names = [...model.weights.keys()].filter(isTrainableTensor);
      const { checked } = checkGradients(model, names.map((name) => ({ name, tensor: model.weights.get(name)! })), {}, 3);
      expect(checked).toBeGreaterThan(30);
      model.dispose();
    });
  }

  for (const [label, type] of [["F16", GgmlType.F16], ["Q8_0", GgmlType.Q8_0]] as const) {
    it(`LoRA on a frozen ${label} base: the mul_mat backward gives ggml's own gradients`, async () => {
      // Finite differences are no reference here: F16 and Q8_0 matmuls round the activations in the forward pass
      // too. The reference is ggml's autodiff (out_prod with the exact dequantized weights), itself checked against
      // finite differences on F32 models above.
      const file = path.join(dir, `lora-${label}.gguf`);
      await writeRandomModel(file, { arch: "qwen2", nLayer: 2, nEmbd: 32, nFf: 64, nHead: 4, nHeadKv: 2, nVocab: 64, weightType: type, seed: 4 });
      const gradients = async (backwardAsMulMat: boolean, transposeChunkBytes?: number, quantizedTransposes: "bf16" | "q8_0" = "bf16") => {
        const model = await EngineModel.load(file, { threads: 1 });
        const prepared = loraMethod.prepare(model, LoraOptionsSchema.parse({ rank: 2 }), 3);
        fillLoraB(model, prepared.trainable);
        const trainer = new Trainer(model, prepared.trainable, { sequenceLength: 6, batchSize: 2, backwardAsMulMat, transposeChunkBytes, quantizedTransposes }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 }, prepared.hooks);
        trainer.beginStep();
        trainer.accumulate(randomBatch(64, 6, 2, 13));
        const out = { rewritten: trainer.rewrittenBackwardNodes, grads: prepared.trainable.map((t) => trainer.readGradient(t.name)) };
        trainer.dispose();
        prepared.dispose();
        model.dispose();
        return out;
      };
      const fast = await gradients(true);
      // 1 KiB blocks: every weight's transpose (the 64 x 32 head is 8 KiB in F32) is split into row blocks and summed.
      const blocked = await gradients(true, 1024);
      const reference = await gradients(false);
      expect(fast.rewritten).toBeGreaterThan(10);
      expect(reference.rewritten).toBe(0);
      [...fast.grads, ...blocked.grads].forEach((g, j) => {
        // BF16 dY: 8 bits of mantissa, so about 0.4% per element; the relative L2 error of a whole gradient stays below 1%.
        expect(relativeL2(g, reference.grads[j % fast.grads.length]!)).toBeLessThan(1e-2);
      });
      if (type === GgmlType.Q8_0) {
        // The AVX2 path: W^T requantized to Q8_0 and dY scaled into Q8_0's range, whole and in 32-row blocks
        // (4 KiB: the 32 x 64 weights split in two, summed). Two 8-bit roundings per product (about 0.5% each,
        // q8-backward.test.ts) that compound through the layers: measured at most 3.3% here, against BF16's 1%.
        const q8 = [...(await gradients(true, undefined, "q8_0")).grads, ...(await gradients(true, 4096, "q8_0")).grads];
        const gaps = q8.map((g, j) => relativeL2(g, reference.grads[j % fast.grads.length]!));
        console.log(`Q8_0 transposes: worst relative L2 gap ${Math.max(...gaps).toExponential(2)}`);
        gaps.forEach((gap) => expect(gap).toBeLessThan(5e-2));
      }
    });
  }

  it("LoRA on a Q8_0 base held in kernel layouts (AMX / repacked, with plain copies for the backward): ggml's gradients", async () => {
    const file = await testModelPath("llamaWide", GgmlType.Q8_0);
    const gradients = async (kernelLayouts: boolean, checkpointActivations: boolean) => {
      const model = await EngineModel.load(file, { threads: 1, kernelLayouts, plainCopies: kernelLayouts });
      const prepared = loraMethod.prepare(model, LoraOptionsSchema.parse({ rank: 4 }), 3);
      fillLoraB(model, prepared.trainable);
      const trainer = new Trainer(model, prepared.trainable, { sequenceLength: 8, batchSize: 2, checkpointActivations }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 }, prepared.hooks);
      trainer.beginStep();
      const loss = trainer.accumulate(randomBatch(model.hparams.nVocab, 8, 2, 13));
      const out = { loss, placed: model.kernelLayoutWeights.size, grads: prepared.trainable.map((t) => trainer.readGradient(t.name)) };
      trainer.dispose();
      prepared.dispose();
      model.dispose();
      return out;
    };
    const plain = await gradients(false, false);
    for (const checkpointed of [false, true]) {
      const fast = await gradients(true, checkpointed);
      console.log(`kernel layouts: ${fast.placed} weights placed`);
      expect(Math.abs(fast.loss - plain.loss)).toBeLessThan(1e-4 * Math.abs(plain.loss));
      // Same weights, other kernels for the forward products: rounding only.
      fast.grads.forEach((g, k) => expect(relativeL2(g, plain.grads[k]!)).toBeLessThan(1e-3));
    }
  });

  it("two identical accumulation windows give identical gradients (accumulators are cleared: docs/engine-notes.md, Gradient accumulation)", async () => {
    const file = path.join(dir, "llama.gguf");
    const model = await EngineModel.load(file, { threads: 1, f32Weights: true });
    const name = "blk.0.attn_q.weight";
    const trainer = new Trainer(model, [{ name, tensor: model.weights.get(name)! }], { sequenceLength: 6, batchSize: 2 }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 });
    const batch = randomBatch(40, 6, 2, 12);
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
