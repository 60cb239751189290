// Mixed-precision products (`--precision bf16`): the weights, their gradients and AdamW's moments stay F32 (the
// master copy the optimizer updates), while every matrix product of the training graphs reads BF16 operands and
// accumulates in F32. On CPUs with AVX512-BF16 ggml's tiled BF16 kernel does twice the multiply-adds of its F32 one
// per instruction (docs/performance.md, "Precision modes"); elsewhere it converts to F32 as it loads, at about the
// F32 rate with half the memory traffic.
//
// The working copies are made in the graph: each forward product of an F32 weight reads cast(W, BF16), made right
// before the product and released after it, so they are refreshed by construction after every optimizer step and
// hold no memory between steps. The gradients are straight-through (as in PyTorch's autocast): autodiff sees the F32
// graph, and only after the backward is built are the products' F32 operands replaced by BF16 casts. This order
// matters: ggml refuses to differentiate through a node with a BF16 source (ggml.c, ggml_build_backward_expand).
//
// The second operand of a product (activations, gradients) is converted to BF16 by mul_mat itself (BF16's dot type),
// so one cast per product is enough. BF16 keeps F32's exponent range: small activation gradients do not flush to
// zero as they would in F16, so no loss scaling is needed.
//
// `--precision q8` is bf16 with the products through a weight in Q8_0 instead: the forward reads cast(W, Q8_0) (and
// mul_mat quantizes the activations to Q8_0 in blocks of 32, as llama.cpp's inference does), and the input gradient
// reads a Q8_0 transpose of W with dY scaled by a power of two (out-prod-rewrite.ts). The weight gradients (two
// activations) stay BF16. It is the laptop mode: on AVX2 CPUs without BF16 instructions ggml's Q8_0 kernel runs 1.7x
// its F32 and BF16 ones, while on AVX512-BF16 the BF16 kernel is as fast and rounds less (docs/performance.md).
import { z } from "zod";
import { GgmlType } from "../formats/gguf/index.js";
import { rewriteNode, tensorOp, tensorShape, type GgmlTensor } from "../native/ggml-bindings.js";
import type { GraphContext } from "./graph-context.js";
import { ggmlOpIds } from "./op-ids.js";

export const PRECISIONS = ["f32", "bf16", "q8"] as const;
export type ProductPrecision = (typeof PRECISIONS)[number];

export const PrecisionSchema = z
  .enum(PRECISIONS)
  .default("f32")
  .describe("operands of the training graph's matrix products: f32; bf16 (F32 master weights and AdamW, BF16 products with F32 sums; full fine-tuning 1.6x as fast on a CPU with AVX512-BF16, held-out loss within 0.6% of f32's over 300 steps, measured); or q8 (as bf16, with the products through weights in Q8_0: 1.4x f32 on an AVX2 laptop build, measured; held-out loss within 0.4% of f32's on stories260K, but 1.5% off on a larger model once it overfit, so compare against an f32 run before relying on it). bf16 and q8 are CPU modes")
  .meta({ ko: "학습 그래프 행렬곱의 피연산자 정밀도: f32; bf16 (가중치와 AdamW는 F32, 곱셈만 BF16; AVX512-BF16 CPU에서 전체 미세조정 1.6배, 300스텝 검증 손실이 f32와 0.6% 이내, 측정값); 또는 q8 (bf16과 같되 가중치와의 곱셈은 Q8_0: AVX2 노트북 빌드에서 f32보다 1.4배, 측정값; 검증 손실은 stories260K에서 f32와 0.4% 이내였지만 더 큰 모델이 과적합된 뒤에는 1.5% 벌어졌으니, 믿기 전에 f32 실행과 비교하세요). bf16과 q8은 CPU 전용" });

export const QuantizedBackwardSchema = z
  .enum(["auto", "bf16", "q8_0"])
  .default("auto")
  .describe("kernel for the backward products through a frozen quantized base: auto (Q8_0 on a CPU without a BF16 dot product, such as AVX2 laptops, where it runs 1.7x the BF16 kernel; BF16 elsewhere), bf16, or q8_0 (the gradient rounded to 8 bits in blocks, as the forward rounds the activations)")
  .meta({ ko: "고정된 양자화 기반 모델을 지나는 역전파 곱셈의 커널: auto (BF16 내적이 없는 CPU, 예컨대 AVX2 노트북에서는 BF16 커널보다 1.7배 빠른 Q8_0, 그 밖에는 BF16), bf16, 또는 q8_0 (순전파가 활성값을 반올림하듯 기울기를 블록 단위 8비트로 반올림)" });

/** Contracted lengths ggml's tiled BF16 kernel takes (AVX512-BF16 works in 32-element steps); a product with another
 *  length would run one dot product per output element, slower than the tiled F32 kernel, so it stays F32 (LoRA's
 *  rank-16 product, stories260K's width-8 heads and 172-wide FFN). */
export const BF16_TILE = 32;

/**
 * Replaces the F32 first operand of every mul_mat in `g`'s graph whose contracted length is a multiple of BF16_TILE by
 * a BF16 cast of it (one cast per distinct operand) and re-expands the graph so each cast precedes its product. Call
 * after the backward is built and its out_prods rewritten (out-prod-rewrite.ts, which already makes its transposed
 * operands BF16 in this mode). Returns how many products changed.
 */
export function lowerProductPrecision(g: GraphContext, precision: ProductPrecision): number {
  if (precision === "f32") return 0;
  const { api, ctx } = g;
  const ids = ggmlOpIds(api, ["MUL_MAT", "NONE"]);
  const castOf = new Map<GgmlTensor, GgmlTensor>();
  let lowered = 0;
  for (let i = 0; i < api.ggml_graph_n_nodes(g.graph); i++) {
    const node = api.ggml_graph_node(g.graph, i);
    const { op, src } = tensorOp(node);
    const [a, b] = src;
    if (op !== ids.MUL_MAT || !a || !b) continue;
    const { type, ne } = tensorShape(a);
    if (type !== GgmlType.F32 || ne[0] % BF16_TILE !== 0) continue;
    let cast = castOf.get(a);
    if (!cast) {
      // q8: a weight (a leaf of the graph) is multiplied in Q8_0, activations in BF16.
      const toQ8 = precision === "q8" && isWeightLeaf(a, ids.NONE);
      cast = api.ggml_cast(ctx, a, toQ8 ? GgmlType.Q8_0 : GgmlType.BF16); // [same shape as a], contiguous
      castOf.set(a, cast);
    }
    rewriteNode(node, ids.MUL_MAT, [cast, b]);
    lowered++;
  }
  if (lowered > 0) g.reorder();
  return lowered;
}

/** A contiguous 2-D F32 tensor that no op made (its op is `noneOp`, ggml's NONE): a weight (or another constant
 *  matrix) of the graph. */
export function isWeightLeaf(t: GgmlTensor, noneOp: number): boolean {
  const { ne, nb, type } = tensorShape(t);
  return tensorOp(t).op === noneOp && ne[2] * ne[3] === 1 && type === GgmlType.F32 && nb[0] === 4 && nb[1] === 4 * ne[0];
}
