// Activation checkpointing (engine/checkpointed-pass.ts) computes the same loss and gradients as the one-graph
// backward, for every method: the one-graph backward is itself checked against finite differences
// (gradients.test.ts), so equality here means checkpointed training is exact. Also: it holds less compute memory.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeRandomModel } from "../src/engine/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { seededRandom } from "../src/engine/random.js";
import { Trainer, type TrainerShape } from "../src/engine/trainer.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { findMethod } from "../src/methods/registry.js";
import { randomBatch } from "./helpers/finite-differences.js";
import { relativeL2 } from "./helpers/relative-error.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ckpt-"));
const adamw = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 };

async function lossAndGradients(file: string, methodName: string, options: Record<string, unknown>, checkpointActivations: boolean, headChunkTokens?: number, micro = 2) {
  const method = findMethod(methodName);
  const parsed = method.schema.parse(options);
  const model = await EngineModel.load(file, { threads: 1, ...method.loadOptions(parsed) });
  const prepared = method.prepare(model, parsed, 5);
  // Zero-initialised factors (LoRA's B, IA3's ones are fine) hide other gradients: give every trainable tensor values.
  const random = seededRandom(11);
  for (const t of prepared.trainable) {
    const n = model.api.ggml_nelements(t.tensor);
    const current = new Float32Array(n);
    model.api.ggml_backend_tensor_get(t.tensor, current, 0, n * 4);
    const values = current.map((v) => v + 0.1 * (random() - 0.5));
    model.api.ggml_backend_tensor_set(t.tensor, values, 0, n * 4);
  }
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: 8, batchSize: 2, checkpointActivations, headChunkTokens }, adamw, prepared.hooks);
  trainer.beginStep();
  let loss = 0;
  for (let i = 0; i < micro; i++) loss += trainer.accumulate(randomBatch(model.hparams.nVocab, 8, 2, 20 + i));
  const grads = prepared.trainable.map((t) => ({ name: t.name, values: trainer.readGradient(t.name) }));
  const bytes = trainer.computeBufferBytes();
  trainer.dispose();
  prepared.dispose();
  model.dispose();
  return { loss, grads, bytes };
}

function expectSameGradients(a: Array<{ name: string; values: Float32Array }>, b: Array<{ name: string; values: Float32Array }>): void {
  expect(a.map((g) => g.name)).toEqual(b.map((g) => g.name));
  a.forEach((g, k) => {
    const reference = b[k]!.values;
    expect(reference.some((v) => v !== 0), `${g.name} has a gradient`).toBe(true);
    // Same operations, summed in another order across graphs: F32 rounding only.
    expect(relativeL2(g.values, reference), g.name).toBeLessThan(1e-5);
  });
}

describe("activation checkpointing", () => {
  const cases: Array<[string, "llama" | "qwen2", string, Record<string, unknown>]> = [
    ["full training, tied embeddings (qwen2)", "qwen2", "full", {}],
    ["full training (llama)", "llama", "full", {}],
    ["LoRA", "llama", "lora", { rank: 4 }],
    ["BitFit", "qwen2", "bitfit", {}],
    ["IA3", "llama", "ia3", {}],
    ["prompt tuning (virtual tokens, output rows)", "llama", "prompt-tuning", { tokens: 3 }],
    ["prefix tuning with the MLP shared by every layer", "llama", "prefix-tuning", { tokens: 2, reparam: true, reparamHidden: 8 }],
  ];
  for (const [label, arch, method, options] of cases) {
    it(`${label}: same loss and gradients as the one-graph backward, over two accumulated micro-batches`, async () => {
      const file = path.join(dir, `${arch}.gguf`);
      if (!fs.existsSync(file)) {
        await writeRandomModel(file, { arch, nLayer: 3, nEmbd: 16, nFf: 24, nHead: 4, nHeadKv: 2, nVocab: 48, tiedEmbeddings: arch === "qwen2", weightType: GgmlType.F32, seed: 7 });
      }
      const whole = await lossAndGradients(file, method, options, false);
      const checkpointed = await lossAndGradients(file, method, options, true);
      expect(Math.abs(checkpointed.loss - whole.loss)).toBeLessThan(1e-5 * Math.abs(whole.loss));
      expectSameGradients(checkpointed.grads, whole.grads);
      // The head in ranges of 5 of the 16 tokens (5 + 5 + 5 + 1), each its own graph.
      const chunked = await lossAndGradients(file, method, options, true, 5);
      expect(Math.abs(chunked.loss - whole.loss)).toBeLessThan(1e-5 * Math.abs(whole.loss));
      expectSameGradients(chunked.grads, whole.grads);
      // The one-graph backward with the head in the same ranges, within its one graph.
      const wholeChunked = await lossAndGradients(file, method, options, false, 5);
      expect(Math.abs(wholeChunked.loss - whole.loss)).toBeLessThan(1e-5 * Math.abs(whole.loss));
      expectSameGradients(wholeChunked.grads, whole.grads);
    });
  }

  /** Compute-buffer bytes of one LoRA r=4 micro-batch of 4 x 64 tokens on `file`, with `shape` added. */
  async function loraComputeBytes(file: string, shape: Partial<TrainerShape>): Promise<number> {
    const method = findMethod("lora");
    const options = method.schema.parse({ rank: 4 });
    const model = await EngineModel.load(file, { threads: 1, ...method.loadOptions(options) });
    const prepared = method.prepare(model, options, 1);
    const trainer = new Trainer(model, prepared.trainable, { sequenceLength: 64, batchSize: 4, ...shape }, adamw, prepared.hooks);
    trainer.beginStep();
    trainer.accumulate(randomBatch(model.hparams.nVocab, 64, 4, 3));
    const bytes = trainer.computeBufferBytes();
    trainer.dispose();
    prepared.dispose();
    model.dispose();
    return bytes;
  }

  it("holds less compute memory once activations dominate (8 layers, 4 x 64 tokens)", async () => {
    const file = path.join(dir, "deep.gguf");
    await writeRandomModel(file, { arch: "llama", nLayer: 8, nEmbd: 64, nFf: 192, nHead: 4, nHeadKv: 2, nVocab: 64, weightType: GgmlType.F32, seed: 3 });
    const whole = await loraComputeBytes(file, { checkpointActivations: false });
    const checkpointed = await loraComputeBytes(file, { checkpointActivations: true });
    expect(checkpointed).toBeLessThan(0.5 * whole);
  });

  it("holds less compute memory with the head in ranges once the vocabulary dominates (V 8192, 256 tokens)", async () => {
    const file = path.join(dir, "wide-vocab.gguf");
    await writeRandomModel(file, { arch: "llama", nLayer: 2, nEmbd: 32, nFf: 64, nHead: 4, nHeadKv: 2, nVocab: 8192, weightType: GgmlType.F32, seed: 5 });
    // [V, 256] F32 logits are 8 MiB. Every range's probabilities stay until its backward (8 MiB in all either way), but
    // the backward's probability and logit gradients are one range's, 2 MiB instead of 8 (the allocator already
    // shares some of that memory in place: measured 26.7 -> 22.6 MiB).
    const whole = await loraComputeBytes(file, { headChunkTokens: 256 });
    const ranges = await loraComputeBytes(file, { headChunkTokens: 64 });
    expect(ranges).toBeLessThan(whole - 3 * 2 ** 20);
  });
});
