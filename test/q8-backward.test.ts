// The input gradient through a frozen quantized weight with the weight's transpose in Q8_0 (engine/out-prod-rewrite.ts,
// `quantizedTransposes: "q8_0"`, the default on CPUs without a BF16 dot product). Reference: dX = W dY worked out
// in a loop from the dequantized weight (formats/quant, itself checked against llama.cpp's files), at the size real
// activation gradients have (1e-7: a mean over thousands of tokens). Unscaled, Q8_0's F16 block scales would flush
// such a dY to zero; the power-of-two scale keeps it.
import { describe, expect, it } from "vitest";
import { ggmlOpIds } from "../src/engine/op-ids.js";
import { rewriteOutProducts } from "../src/engine/out-prod-rewrite.js";
import { seededRandom } from "../src/engine/random.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { dequantizeQ8_0, quantizeQ8_0 } from "../src/formats/quant/q8_0.js";
import { tensorOp } from "../src/native/ggml-bindings.js";
import { computeOnCpu } from "./helpers/cpu-graph.js";
import { relativeL2 } from "./helpers/relative-error.js";

const m = 64; // W's rows: the forward's contracted length (input features)
const k = 96; // W's columns: output features, the backward's contracted length (a multiple of 32)
const n = 40; // tokens

async function inputGradient(transposes: "bf16" | "q8_0", gradientSize: number): Promise<{ dX: Float32Array; reference: Float32Array; op: string }> {
  const random = seededRandom(7);
  const wBytes = quantizeQ8_0(Float32Array.from({ length: m * k }, () => (random() - 0.5) * 0.2));
  const dYValues = Float32Array.from({ length: k * n }, () => (random() - 0.5) * gradientSize);
  const { value, extra: op } = await computeOnCpu((g, api) => {
    const w = g.input("w", GgmlType.Q8_0, [m, k]);
    const dY = g.input("dY", GgmlType.F32, [k, n]);
    const dX = api.ggml_out_prod(g.ctx, w, api.ggml_transpose(g.ctx, dY)); // [m, n], as ggml's autodiff writes it
    g.expand(dX);
    expect(rewriteOutProducts(g, { quantizedTransposes: transposes })).toBe(1);
    const ids = ggmlOpIds(api, ["SCALE", "MUL_MAT"]);
    const op = tensorOp(dX).op === ids.SCALE ? "SCALE" : tensorOp(dX).op === ids.MUL_MAT ? "MUL_MAT" : "other";
    return { output: dX, inputs: [[w, wBytes], [dY, dYValues]], extra: op };
  });
  // dX[i, t] = sum over j of W[i, j] dY[j, t], W[i, j] at j * m + i (ggml's row j holds column j's m inputs).
  const wValues = dequantizeQ8_0(wBytes, m * k);
  const reference = new Float32Array(m * n);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += wValues[j * m + i]! * dYValues[t * k + j]!;
      reference[t * m + i] = sum;
    }
  }
  return { dX: value, reference, op };
}

describe("Q8_0 transposes in the backward", () => {
  it("gives dX = W dY within Q8_0's rounding for gradients of 1e-7 (40 tokens)", async () => {
    const q8 = await inputGradient("q8_0", 1e-7);
    expect(q8.op).toBe("SCALE"); // (W^T x s dY) / s
    const gap = relativeL2(q8.dX, q8.reference);
    // W^T requantized along the other axis and dY quantized in blocks of 32: 8 bits each, about 0.5% apiece.
    console.log(`Q8_0 transposes: relative L2 gap ${gap.toExponential(2)}`);
    expect(gap).toBeLessThan(2e-2);
    expect(gap).toBeGreaterThan(1e-4); // it did round: this is the Q8_0 path, not an F32 one
    const bf16 = await inputGradient("bf16", 1e-7);
    expect(bf16.op).toBe("MUL_MAT");
    expect(relativeL2(bf16.dX, bf16.reference)).toBeLessThan(1e-2);
  });

  it("keeps that precision over the sizes a mean loss over 40 tokens gives (1e-2 to 1e-7), and loses it far below", async () => {
    for (const size of [1e-2, 1e-4, 1e-7]) {
      const r = await inputGradient("q8_0", size);
      expect(relativeL2(r.dX, r.reference), `dY of ${size}`).toBeLessThan(1e-2);
    }
    // 1e-10 is 4e-9 of 1 / tokens, below the range the scale is sized for (out-prod-rewrite.ts): F16 block scales
    // go subnormal and the error grows; this shows the scale is what keeps the sizes above.
    const below = await inputGradient("q8_0", 1e-10);
    expect(relativeL2(below.dX, below.reference)).toBeGreaterThan(5e-2);
  });
});
