// Backward products as mul_mat. ggml's autodiff writes both gradients of y = mul_mat(W, x) with out_prod: the input
// gradient dX = out_prod(W, transpose(dY)) and the weight gradient dW = out_prod(x, dY). The CPU out_prod is a loop of
// rank-1 updates (one vec_mad per destination row and inner index): it streams the destination row through the
// cache once per inner index, so it runs far below the tiled mul_mat kernels, and with an F16 or quantized W it
// converts one row of W per (row, token) pair (LoRA on an F16 base at 1/7 of the F32 speed: docs/engine-notes.md, "Slow out_prod backward").
//
// out_prod(a, b) = sum over k of a[i, k] * b[j, k] is the same contraction as mul_mat(a^T, b^T), with both operands
// transposed into contiguous tensors. The transposes are nodes of the training graph placed just before the product
// and released by ggml's allocator after it: O(m k + n k) copies against the product's O(m n k) multiply-adds, and no
// memory that outlives the product (a frozen F16 base stays at 2 bytes per weight, Q8_0 at 1.06).
//
// A weight transposed whole would cost a temporary of its size: for a 150k-token vocabulary the head alone is
// hundreds of MB. Products whose transposed weight would pass TRANSPOSE_CHUNK_BYTES are split along the contracted
// dimension into row blocks of the weight, each transposed and multiplied in turn, and summed.
//
// Compact (F16, BF16, quantized) weights are transposed into BF16: mul_mat converts the other operand (dY) to the
// weight's dot type, and activation gradients are small (1e-6 and below once the loss is a mean over thousands of
// tokens): F16 and Q8_0 (F16 block scales) would flush them to zero, BF16 keeps F32's exponent range.
//
// Where the CPU has no BF16 dot product (AVX2 laptops), BF16 runs at the F32 rate while Q8_0 runs 1.7x faster, so a
// frozen quantized weight's transpose is made in Q8_0 instead (`quantizedTransposes: "q8_0"`), the kernel its forward
// product already uses. dY is multiplied by a power of two before the product and the result divided by it after
// (exact in binary floating point): the gradient is a mean over the step's tokens, so its elements sit near 1 / tokens
// and below; the factor 2^10 x tokens (rounded up to a power of two) lifts them into the range where Q8_0's F16 block
// scales are normal numbers (a block maximum above 127 x 2^-14), and leaves room for gradients 8000 times the
// typical size before a block scale overflows F16 (docs/engine-notes.md, "Q8_0 backward products"). `--precision q8`
// does the same for the F32 weights of full fine-tuning (product-precision.ts).
import { GgmlType, ggmlTypeInfo } from "../formats/gguf/index.js";
import { rewriteNode, tensorOp, tensorShape, type GgmlApi, type GgmlContext, type GgmlTensor } from "../native/ggml-bindings.js";
import type { GraphContext } from "./graph-context.js";
import { isLowRank } from "./low-rank-products.js";
import { ggmlOpIds } from "./op-ids.js";
import { BF16_TILE, isWeightLeaf } from "./product-precision.js";

export interface RewriteOptions {
  /** Largest F32 transposed weight made in one piece (default TRANSPOSE_CHUNK_BYTES). */
  chunkBytes?: number;
  /** The plain-layout copy of a weight held in a kernel layout (AMX, repacked), which only mul_mat can read. */
  plainSource?: (t: GgmlTensor) => GgmlTensor;
  /** The backend copies F16 / BF16 straight into BF16 (the CPU backend does); default true. */
  halfToBf16?: boolean;
  /** Transpose F32 operands into BF16 too (`--precision bf16`, product-precision.ts); default F32 stays F32. */
  f32ToBf16?: boolean;
  /** Leave low-rank out_prods as they are (the CPU's out_prod is the faster kernel there: low-rank-products.ts). */
  keepLowRank?: boolean;
  /** Type of a frozen quantized weight's transpose: BF16 (default), or Q8_0 with a scaled dY (see the top of the file). */
  quantizedTransposes?: "bf16" | "q8_0";
  /** Also transpose F32 weights (graph leaves) into Q8_0 with a scaled dY (`--precision q8`). */
  f32WeightsToQ8?: boolean;
}

/** Largest F32 transposed weight made in one piece; bigger ones are split (see the top of the file). */
export const TRANSPOSE_CHUNK_BYTES = 4 * 2 ** 20;

/** Q8_0's block length: a Q8_0 transpose needs the product's contracted length to be a multiple of it. */
const Q8_0_BLOCK = 32;

interface OpIds {
  add: number;
  mulMat: number;
  outProd: number;
  transpose: number;
  scale: number;
  none: number;
}

function opIds(api: GgmlApi): OpIds {
  const ids = ggmlOpIds(api, ["ADD", "MUL_MAT", "OUT_PROD", "TRANSPOSE", "SCALE", "NONE"]);
  return { add: ids.ADD, mulMat: ids.MUL_MAT, outProd: ids.OUT_PROD, transpose: ids.TRANSPOSE, scale: ids.SCALE, none: ids.NONE };
}

/** SCALE's op parameters for y = s x (ggml_scale: the floats s and a bias b = 0, as raw words). */
function scaleParams(s: number): number[] {
  return Array.from(new Int32Array(Float32Array.of(s, 0).buffer));
}

/** 2^10 x the tokens of dY [k, tokens, ...], rounded up to a power of two (see the top of the file). */
function gradientScale(dY: GgmlTensor): number {
  const [, n1, n2, n3] = tensorShape(dY).ne;
  return 2 ** (Math.ceil(Math.log2(Math.max(1, n1 * n2 * n3))) + 10);
}

/**
 * Rewrites every out_prod node of `g`'s graph into mul_mat over transposed operands and re-expands the graph so each
 * new transpose precedes its product. Call after ggml_build_backward_expand and before the graph is allocated.
 * Returns how many nodes changed.
 */
export function rewriteOutProducts(g: GraphContext, options: RewriteOptions = {}): number {
  const { api, ctx } = g;
  const ops = opIds(api);
  const chunkBytes = options.chunkBytes ?? TRANSPOSE_CHUNK_BYTES;
  const plainSource = options.plainSource ?? ((t: GgmlTensor) => t);
  const direct = options.halfToBf16 ?? true;
  const lowF32 = options.f32ToBf16 ?? false;
  // One transposed copy per source tensor: q, k and v (gate and up) share their input, so its transpose is made once.
  const transposedOf = new Map<GgmlTensor, GgmlTensor>();
  const transposed = (x: GgmlTensor): GgmlTensor => {
    const known = transposedOf.get(x);
    if (known) return known;
    const made = makeTransposed(api, ctx, ops, x, direct, lowF32);
    transposedOf.set(x, made);
    return made;
  };
  let rewritten = 0;
  for (let i = 0; i < api.ggml_graph_n_nodes(g.graph); i++) {
    const node = api.ggml_graph_node(g.graph, i);
    const { op, src } = tensorOp(node);
    const [product, b] = src;
    if (op !== ops.outProd || !product || !b) continue;
    if (options.keepLowRank && isLowRank(tensorShape(product).ne[1], product, b)) continue;
    // A weight held in a kernel layout (AMX, repacked) can only be multiplied: its transpose reads the plain copy.
    const a = plainSource(product);
    const split = blocksOfLargeWeight(api, ctx, ops, a, b, chunkBytes);
    const blocksFitQ8 = !split || split.every((block) => tensorShape(block.weight).ne[1] % Q8_0_BLOCK === 0);
    const q8Weight = options.quantizedTransposes === "q8_0" && ggmlTypeInfo(tensorShape(a).type).quantized
      || options.f32WeightsToQ8 === true && isWeightLeaf(a, ops.none);
    const dY = q8Weight && blocksFitQ8 ? q8GradientOf(api, ops, a, b) : undefined;
    if (dY) {
      // dX = (W^T in Q8_0 x (s dY)) / s, whole or summed over the row blocks of a large W.
      const s = gradientScale(dY);
      const parts = (split ?? [{ weight: a, gradient: dY }]).map((block) =>
        api.ggml_mul_mat(ctx, transposedToQ8(api, ctx, block.weight), api.ggml_scale(ctx, block.gradient, s)));
      const sum = parts.reduce((total, part) => api.ggml_add(ctx, total, part));
      rewriteNode(node, ops.scale, [sum], scaleParams(1 / s));
    } else if (split) {
      // dX = sum over row blocks c of W: mul_mat(W_c^T, dY_c), one block's transposes alive at a time.
      let sum: GgmlTensor | undefined;
      for (const block of split.slice(0, -1)) {
        const part = api.ggml_mul_mat(ctx, makeTransposed(api, ctx, ops, block.weight, direct, lowF32), block.gradient);
        sum = sum === undefined ? part : api.ggml_add(ctx, sum, part);
      }
      const last = split[split.length - 1]!;
      const lastPart = api.ggml_mul_mat(ctx, makeTransposed(api, ctx, ops, last.weight, direct, lowF32), last.gradient);
      rewriteNode(node, ops.add, [sum!, lastPart]);
    } else {
      // out_prod(a [m, k, ...], b [n, k, ...]) -> [m, n, ...]  ==  mul_mat(a^T [k, m, ...], b^T [k, n, ...]);
      // mul_mat broadcasts a^T over b's dims 2 and 3 exactly as out_prod broadcasts a (grouped-query attention).
      rewriteNode(node, ops.mulMat, [transposed(a), transposed(b)]);
    }
    rewritten++;
  }
  if (rewritten > 0) g.reorder();
  return rewritten;
}

/**
 * For out_prod(W [m, k], transpose(dY [k, n])) with a 2-D weight W whose F32 transpose would pass `chunkBytes`:
 * row blocks W_c [m, kc] (views) with the matching rows dY_c [kc, n] (contiguous copies). Undefined otherwise.
 */
function blocksOfLargeWeight(api: GgmlApi, ctx: GgmlContext, ops: OpIds, a: GgmlTensor, b: GgmlTensor, chunkBytes: number): Array<{ weight: GgmlTensor; gradient: GgmlTensor }> | undefined {
  const weight = tensorShape(a);
  const [m, k, a2, a3] = weight.ne;
  if (tensorOp(a).op !== ops.none || a2 * a3 !== 1 || 4 * m * k <= chunkBytes) return undefined;
  const { op, src } = tensorOp(b);
  const dY = src[0];
  if (op !== ops.transpose || !dY || !api.ggml_is_contiguous(dY)) return undefined;
  const grad = tensorShape(dY);
  if (grad.type !== GgmlType.F32 || grad.ne[0] !== k || grad.ne[2] * grad.ne[3] !== 1) return undefined;
  // A multiple of 64 rows: the contracted length of each block's product, which ggml's tiled BF16 and F32 kernels
  // need divisible by their vector width (else they fall back to one dot product per output element).
  const fitting = Math.max(1, Math.floor(chunkBytes / (4 * m)));
  const rowsPerBlock = fitting >= 64 ? fitting - (fitting % 64) : fitting;
  const blocks = [];
  for (let k0 = 0; k0 < k; k0 += rowsPerBlock) {
    const kc = Math.min(rowsPerBlock, k - k0);
    blocks.push({
      weight: api.ggml_view_2d(ctx, a, m, kc, weight.nb[1], k0 * weight.nb[1]),
      gradient: api.ggml_cont(ctx, api.ggml_view_2d(ctx, dY, kc, grad.ne[1], grad.nb[1], k0 * grad.nb[0])),
    });
  }
  return blocks;
}

/**
 * dY when out_prod(a, b) is an input gradient through a 2-D weight a [m, k] that can be transposed into Q8_0
 * (b = transpose(dY), dY F32 and contiguous, k a multiple of Q8_0's block); undefined otherwise.
 */
function q8GradientOf(api: GgmlApi, ops: OpIds, a: GgmlTensor, b: GgmlTensor): GgmlTensor | undefined {
  const weight = tensorShape(a);
  if (weight.ne[1] % Q8_0_BLOCK !== 0 || weight.ne[2] * weight.ne[3] !== 1) return undefined;
  const { op, src } = tensorOp(b);
  const dY = src[0];
  if (op !== ops.transpose || !dY || !api.ggml_is_contiguous(dY) || tensorShape(dY).type !== GgmlType.F32) return undefined;
  return dY;
}

/** W [m, k] (block-quantized or F32) -> W^T [k, m] in Q8_0: dequantized, transposed and quantized in the graph. */
function transposedToQ8(api: GgmlApi, ctx: GgmlContext, w: GgmlTensor): GgmlTensor {
  // ggml quantizes only contiguous F32 rows, so the transposed F32 copy is made before the cast.
  const f32 = tensorShape(w).type === GgmlType.F32 ? w : api.ggml_cast(ctx, w, GgmlType.F32);
  return api.ggml_cast(ctx, api.ggml_cont(ctx, api.ggml_transpose(ctx, f32)), GgmlType.Q8_0);
}

/** x [m, k, ...] -> x^T [k, m, ...], contiguous, as a graph node (or x's source when x is a transpose of one). */
function makeTransposed(api: GgmlApi, ctx: GgmlContext, ops: OpIds, x: GgmlTensor, halfToBf16: boolean, f32ToBf16: boolean): GgmlTensor {
  const { op, src } = tensorOp(x);
  const inner = src[0];
  // transpose(transpose(y)) = y: dY reaches out_prod as a transposed view of a contiguous gradient.
  if (op === ops.transpose && inner && api.ggml_is_contiguous(inner) && tensorShape(inner).type === GgmlType.F32) return inner;
  const type = tensorShape(x).type;
  if (type === GgmlType.F32) {
    // x^T's rows have x's ne[1] elements: the product's contracted length, which decides the kernel (BF16_TILE).
    const toBf16 = f32ToBf16 && tensorShape(x).ne[1] % BF16_TILE === 0;
    return toBf16 ? api.ggml_cast(ctx, api.ggml_transpose(ctx, x), GgmlType.BF16) : api.ggml_cont(ctx, api.ggml_transpose(ctx, x));
  }
  // ggml's copy reads a transposed view element by element, which block-quantized types cannot do: they are
  // dequantized to F32 (contiguous rows) first. F16 and BF16 convert straight to BF16 on the CPU; other backends go
  // through F32, the copy every backend has.
  const plain = halfToBf16 && (type === GgmlType.F16 || type === GgmlType.BF16);
  return api.ggml_cast(ctx, api.ggml_transpose(ctx, plain ? x : api.ggml_cast(ctx, x, GgmlType.F32)), GgmlType.BF16);
}
