// Products whose contracted length is a LoRA rank (LOW_RANK_MAX or less) as ggml's out_prod on the CPU. y = B (A x)
// contracts over the rank r twice per adapted weight: the forward's [r] -> [out] product and the backward's input
// gradient through A. ggml's tiled mul_mat kernels spend a short contraction on tile set-up and strided stores (a
// [576 x 8] x [8 x 1024] product ran at 7.7 GFLOP/s on two AVX2 cores), while out_prod adds r scaled rows into each
// output row held in L1: the same products took a third of the time (docs/performance.md, "Low-rank out_prod, a
// Q8_0 backward...").
//
// mul_mat(A [k, m, ...], B [k, n, ...]) = out_prod(A^T [m, k, ...], B^T [n, k, ...]), both [m, n, ...], and both ops
// broadcast the first operand over the second's dims 2 and 3 in the same way; the transposed copies are [k x m] and
// [k x n] with k <= LOW_RANK_MAX, a few hundred kB at most. Rewritten after autodiff, like the other product passes, so the
// backward is ggml's own mul_mat gradient whichever op computes the forward value.
import { GgmlType } from "../formats/gguf/index.js";
import { rewriteNode, tensorOp, tensorShape, type GgmlTensor } from "../native/ggml-bindings.js";
import type { GraphContext } from "./graph-context.js";
import { ggmlOpIds } from "./op-ids.js";

/** Longest contraction computed as an outer-product sum: the LoRA ranks people use (4 to 32). Measured on two AVX2
 *  cores for [k x 576] x [k x 1024]: out_prod took 0.50 ms against mul_mat's 1.10 at k = 16, 0.89 against 1.12 at
 *  k = 32; at 64 the two are close and at 256 mul_mat is twice as fast. */
export const LOW_RANK_MAX = 32;

/** Whether out_prod(a, b) or mul_mat(a, b) contracting over `length` elements of F32 operands is a low-rank product. */
export function isLowRank(length: number, a: GgmlTensor, b: GgmlTensor): boolean {
  return length <= LOW_RANK_MAX && tensorShape(a).type === GgmlType.F32 && tensorShape(b).type === GgmlType.F32;
}

/**
 * Turns every mul_mat of `g`'s graph with a low-rank contraction into out_prod over contiguous transposes and
 * re-expands the graph so each transpose precedes its product. CPU only (other backends may lack out_prod). Call
 * after ggml_build_backward_expand. Returns how many products changed.
 */
export function lowRankAsOuterProducts(g: GraphContext): number {
  const { api, ctx } = g;
  const ids = ggmlOpIds(api, ["MUL_MAT", "OUT_PROD"]);
  const transposedOf = new Map<GgmlTensor, GgmlTensor>();
  const transposed = (x: GgmlTensor) => {
    let t = transposedOf.get(x);
    if (!t) {
      t = api.ggml_cont(ctx, api.ggml_transpose(ctx, x)); // [k, m, ...] -> [m, k, ...]
      transposedOf.set(x, t);
    }
    return t;
  };
  let changed = 0;
  for (let i = 0; i < api.ggml_graph_n_nodes(g.graph); i++) {
    const node = api.ggml_graph_node(g.graph, i);
    const { op, src } = tensorOp(node);
    const [a, b] = src;
    if (op !== ids.MUL_MAT || !a || !b || !isLowRank(tensorShape(a).ne[0], a, b)) continue;
    rewriteNode(node, ids.OUT_PROD, [transposed(a), transposed(b)]);
    changed++;
  }
  if (changed > 0) g.reorder();
  return changed;
}
