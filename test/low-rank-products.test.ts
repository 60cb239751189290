// Low-rank products as out_prod (engine/low-rank-products.ts): the rewritten graph computes the product a triple loop
// gives, for LoRA's shape and for attention's broadcast one (small heads, grouped-query), and leaves other products
// alone. LoRA's gradients through the rewritten graph are checked against finite differences in arch-methods.test.ts.
import { describe, expect, it } from "vitest";
import { LOW_RANK_MAX, lowRankAsOuterProducts } from "../src/engine/low-rank-products.js";
import { ggmlOpIds } from "../src/engine/op-ids.js";
import { seededRandom } from "../src/engine/random.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { tensorOp } from "../src/native/ggml-bindings.js";
import { computeOnCpu } from "./helpers/cpu-graph.js";

/** mul_mat(a [k, m, a2, 1], b [k, n, b2, 1]) -> [m, n, b2] by a triple loop; slice i2 of b meets slice i2 / (b2 / a2) of a. */
function referenceProduct(a: Float32Array, b: Float32Array, k: number, m: number, n: number, a2: number, b2: number): Float32Array {
  const out = new Float32Array(m * n * b2);
  for (let i2 = 0; i2 < b2; i2++) {
    const s = Math.floor(i2 / (b2 / a2));
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < m; i++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += a[(s * m + i) * k + c]! * b[(i2 * n + j) * k + c]!;
        out[(i2 * n + j) * m + i] = sum;
      }
    }
  }
  return out;
}

async function product(k: number, m: number, n: number, a2: number, b2: number): Promise<{ value: Float32Array; reference: Float32Array; changed: number; op: string }> {
  const random = seededRandom(3);
  const av = Float32Array.from({ length: k * m * a2 }, () => random() - 0.5);
  const bv = Float32Array.from({ length: k * n * b2 }, () => random() - 0.5);
  const { value, extra } = await computeOnCpu((g, api) => {
    const a = g.input("a", GgmlType.F32, [k, m, a2]);
    const b = g.input("b", GgmlType.F32, [k, n, b2]);
    const y = api.ggml_mul_mat(g.ctx, a, b); // [m, n, b2]
    g.expand(y);
    const changed = lowRankAsOuterProducts(g);
    const ids = ggmlOpIds(api, ["MUL_MAT", "OUT_PROD"]);
    const op = tensorOp(y).op === ids.OUT_PROD ? "OUT_PROD" : tensorOp(y).op === ids.MUL_MAT ? "MUL_MAT" : "other";
    return { output: y, inputs: [[a, av], [b, bv]], extra: { changed, op } };
  });
  return { value, reference: referenceProduct(av, bv, k, m, n, a2, b2), ...extra };
}

function worstGap(x: Float32Array, y: Float32Array): number {
  return x.reduce((worst, v, i) => Math.max(worst, Math.abs(v - y[i]!)), 0);
}

describe("low-rank products as out_prod", () => {
  it("computes LoRA's rank-8 product B (A x) as the triple loop does", async () => {
    const r = await product(8, 48, 37, 1, 1);
    expect(r).toMatchObject({ changed: 1, op: "OUT_PROD" });
    expect(worstGap(r.value, r.reference)).toBeLessThan(1e-5);
  });

  it("keeps mul_mat's broadcast over heads (grouped-query attention with 8-wide heads)", async () => {
    // Keys [8, 5, 2 kv heads] against queries [8, 6, 6 heads]: query heads 0-2 read kv head 0, 3-5 kv head 1.
    const r = await product(8, 5, 6, 2, 6);
    expect(r).toMatchObject({ changed: 1, op: "OUT_PROD" });
    expect(worstGap(r.value, r.reference)).toBeLessThan(1e-5);
  });

  it("leaves longer contractions to mul_mat", async () => {
    const r = await product(LOW_RANK_MAX + 16, 8, 8, 1, 1);
    expect(r).toMatchObject({ changed: 0, op: "MUL_MAT" });
    expect(worstGap(r.value, r.reference)).toBeLessThan(1e-5);
  });
});
