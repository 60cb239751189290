// The passes that rewrite a graph's matrix products after autodiff, in their one order: the backward's out_prods
// as mul_mat (out-prod-rewrite.ts), low-rank products as out_prod on the CPU (low-rank-products.ts), then the
// products' operand precision (product-precision.ts). Every graph a trainer runs (one-graph training, evaluation,
// and each graph of activation checkpointing) goes through this one function, so they compute the same function.
import type { GraphContext } from "./graph-context.js";
import { lowRankAsOuterProducts } from "./low-rank-products.js";
import { rewriteOutProducts, type RewriteOptions } from "./out-prod-rewrite.js";
import { lowerProductPrecision, type ProductPrecision } from "./product-precision.js";

export interface ProductPassOptions {
  /** Rewrite the backward's out_prods as mul_mat; false keeps ggml's own out_prod backward. */
  backwardAsMulMat: boolean;
  rewrite: RewriteOptions;
  precision: ProductPrecision;
  /** The graph runs on ggml's CPU backend, whose out_prod is the fast kernel for low-rank products. */
  cpu: boolean;
}

/** Runs the product passes over `g` (after ggml_build_backward_expand, before allocation); returns how many backward
 *  out_prods became mul_mat. */
export function lowerProducts(g: GraphContext, options: ProductPassOptions): number {
  const rewritten = options.backwardAsMulMat ? rewriteOutProducts(g, { ...options.rewrite, keepLowRank: options.cpu }) : 0;
  if (options.cpu) lowRankAsOuterProducts(g);
  lowerProductPrecision(g, options.precision);
  return rewritten;
}
