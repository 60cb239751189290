// `--precision bf16` (engine/product-precision.ts): products read BF16 operands, the weights and their gradients stay
// F32. Checked against values worked out by hand (what BF16 rounding does to one product), and against the F32
// trainer (itself checked against finite differences in gradients.test.ts): close, but not equal.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EngineModel } from "../src/engine/model.js";
import { lowerProductPrecision, type ProductPrecision } from "../src/engine/product-precision.js";
import { Trainer } from "../src/engine/trainer.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { computeOnCpu } from "./helpers/cpu-graph.js";
import { randomBatch, writeTinyModel } from "./helpers/finite-differences.js";
import { relativeL2 } from "./helpers/relative-error.js";

const adamw = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 };

/** y = mul_mat(a [k, 1], b [k, 1]) with a = 1 + 2^-9 everywhere and b = 1, computed at `precision`. */
async function dotOfOnes(k: number, precision: ProductPrecision): Promise<{ y: number; lowered: number }> {
  const { value, extra: lowered } = await computeOnCpu((g, api) => {
    const a = g.input("a", GgmlType.F32, [k, 1]);
    const b = g.input("b", GgmlType.F32, [k, 1]);
    const y = api.ggml_mul_mat(g.ctx, a, b); // [1, 1]
    g.expand(y);
    return { output: y, inputs: [[a, new Float32Array(k).fill(1 + 2 ** -9)], [b, new Float32Array(k).fill(1)]], extra: lowerProductPrecision(g, precision) };
  }, 1);
  return { y: value[0]!, lowered };
}

describe("product precision", () => {
  it("rounds a product's operands to BF16 (8 significant bits) and sums in F32, by hand", async () => {
    // 1 + 2^-9 needs 10 significant bits: F32 keeps it, BF16 rounds it to 1.
    expect(await dotOfOnes(64, "f32")).toEqual({ y: 64 * (1 + 2 ** -9), lowered: 0 });
    expect(await dotOfOnes(64, "bf16")).toEqual({ y: 64, lowered: 1 });
    // A contracted length off BF16's 32-element tile stays F32 (the per-element BF16 dot would be slower).
    expect(await dotOfOnes(48, "bf16")).toEqual({ y: 48 * (1 + 2 ** -9), lowered: 0 });
  });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-precision-"));
  async function fullTrainingStep(precision: ProductPrecision, checkpointActivations = false) {
    const file = path.join(dir, "llama.gguf");
    if (!fs.existsSync(file)) await writeTinyModel(file, "llama", { nEmbd: 32, nFf: 64, nHead: 4, nHeadKv: 2 });
    const model = await EngineModel.load(file, { threads: 1, f32Weights: true });
    const trainable = [...model.weights].map(([name, tensor]) => ({ name, tensor }));
    const trainer = new Trainer(model, trainable, { sequenceLength: 8, batchSize: 2, precision, checkpointActivations }, adamw);
    const batch = randomBatch(model.hparams.nVocab, 8, 2, 31);
    trainer.beginStep();
    const loss = trainer.accumulate(batch);
    const evalLoss = trainer.evaluate(batch);
    const grads = trainable.map((t) => ({ name: t.name, values: trainer.readGradient(t.name) }));
    trainer.dispose();
    model.dispose();
    return { loss, evalLoss, grads };
  }

  it("trains every weight with gradients within BF16's rounding of the F32 ones, and evaluates the same function", async () => {
    const f32 = await fullTrainingStep("f32");
    const bf16 = await fullTrainingStep("bf16");
    expect(bf16.loss).not.toBe(f32.loss); // the products did change precision
    expect(Math.abs(bf16.loss - f32.loss) / f32.loss).toBeLessThan(1e-2);
    expect(bf16.evalLoss).toBeCloseTo(bf16.loss, 6);
    bf16.grads.forEach((g, i) => {
      const reference = f32.grads[i]!.values;
      expect(reference.some((v) => v !== 0), `${g.name} has a gradient`).toBe(true);
      // BF16 keeps 8 significant bits (relative rounding 2^-9 per operand); errors of many products add up in
      // quadrature to about 1%.
      expect(relativeL2(g.values, reference), g.name).toBeLessThan(3e-2); // measured: 1.0% at worst
    });
  });

  it("q8: trains every weight with gradients within Q8_0's rounding of the F32 ones, and evaluates the same function", async () => {
    const f32 = await fullTrainingStep("f32");
    const q8 = await fullTrainingStep("q8");
    expect(q8.loss).not.toBe(f32.loss);
    expect(Math.abs(q8.loss - f32.loss) / f32.loss).toBeLessThan(1e-2);
    expect(q8.evalLoss).toBeCloseTo(q8.loss, 6);
    const gaps = q8.grads.map((g, i) => relativeL2(g.values, f32.grads[i]!.values));
    console.log(`q8: worst gradient gap ${Math.max(...gaps).toExponential(2)}`, q8.grads.map((g, i) => `${g.name} ${gaps[i]!.toFixed(3)}`).join(", "));
    gaps.forEach((gap, i) => expect(gap, q8.grads[i]!.name).toBeLessThan(5e-2));
  });

  it("gives the same loss and gradients with activation checkpointing", async () => {
    const whole = await fullTrainingStep("bf16");
    const checkpointed = await fullTrainingStep("bf16", true);
    expect(checkpointed.loss).toBeCloseTo(whole.loss, 6);
    checkpointed.grads.forEach((g, i) => expect(relativeL2(g.values, whole.grads[i]!.values), g.name).toBeLessThan(1e-5));
  });
});
