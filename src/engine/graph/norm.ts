// Normalisation pieces of a block (llama.cpp's build_norm): RMSNorm scaled by a learned per-channel weight.
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";

/** x / rms(x) * weight over the first dimension: x [C, ...], weight [C] (C is E for the residual stream, D per head). */
export function rmsNorm(g: GraphContext, x: GgmlTensor, weight: GgmlTensor, eps: number): GgmlTensor {
  return g.api.ggml_mul(g.ctx, g.api.ggml_rms_norm(g.ctx, x, eps), weight);
}
