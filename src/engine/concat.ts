// Concatenation that trains: ggml's CONCAT has no backward pass in this release, ACC does (the gradient of the added
// part is a view of the output gradient). So a ++ b along a dimension is built as acc(acc(zeros, a), b at offset).
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import { tensorShape, type GgmlTensor } from "../native/ggml-bindings.js";
import type { GraphContext } from "./graph-context.js";

/** a ++ b along `dim` (0, 1 or 2) for F32 tensors of up to 3 dimensions equal in every other dimension. */
export function concatWithGradient(g: GraphContext, a: GgmlTensor, b: GgmlTensor, dim: 0 | 1 | 2): GgmlTensor {
  const { api, ctx } = g;
  const sa = tensorShape(a).ne;
  const sb = tensorShape(b).ne;
  for (let d = 0; d < 4; d++) {
    if (d !== dim && sa[d] !== sb[d]) throw new ShapeError(`cannot concatenate [${sa.join(", ")}] and [${sb.join(", ")}] along dimension ${dim}`);
  }
  const ne = sa.slice() as [number, number, number, number];
  ne[dim] = sa[dim] + sb[dim];
  const { zeros, nb1, nb2, nb3 } = zerosOfShape(g, a, ne);
  const offset = dim === 0 ? 4 * sa[0] : dim === 1 ? nb1 * sa[1] : nb2 * sa[2];
  return api.ggml_acc(ctx, api.ggml_acc(ctx, zeros, a, nb1, nb2, nb3, 0), b, nb1, nb2, nb3, offset);
}

/** `a` followed by zeros up to `size` along `dim` (0 or 1), for an F32 tensor of up to 3 dimensions; trains like `a`. */
export function padWithZeros(g: GraphContext, a: GgmlTensor, dim: 0 | 1, size: number): GgmlTensor {
  const sa = tensorShape(a).ne;
  if (size < sa[dim]) throw new ShapeError(`cannot pad dimension ${dim} of [${sa.join(", ")}] down to ${size}`);
  if (size === sa[dim]) return a;
  const ne = sa.slice() as [number, number, number, number];
  ne[dim] = size;
  const { zeros, nb1, nb2, nb3 } = zerosOfShape(g, a, ne);
  return g.api.ggml_acc(g.ctx, zeros, a, nb1, nb2, nb3, 0);
}

function zerosOfShape(g: GraphContext, like: GgmlTensor, ne: readonly number[]) {
  const { api, ctx } = g;
  // One element of `like` (finite) repeated to the full shape and scaled by 0. A fresh tensor would hold
  // uninitialised memory, and NaN * 0 is NaN.
  const template = api.ggml_new_tensor_3d(ctx, GgmlType.F32, ne[0]!, ne[1]!, ne[2]!);
  const zeros = api.ggml_scale(ctx, api.ggml_repeat(ctx, api.ggml_view_1d(ctx, like, 1, 0), template), 0);
  const nb1 = 4 * ne[0]!;
  const nb2 = nb1 * ne[1]!;
  return { zeros, nb1, nb2, nb3: nb2 * ne[2]! };
}
