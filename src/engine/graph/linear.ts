// A projection of the graph (llama.cpp's build_lora_mm plus the bias add): y = W x through the methods' linear hook,
// plus the bias when the model has one. Every adaptable matrix product of the decoder goes through here.
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";
import { requireWeight, type DecoderHooks, type WeightLookup } from "./hooks.js";

/** `name` without ".weight" ("blk.3.attn_q"): W [in, out] and optional bias [out]; x [in, N] -> [out, N]. */
export function linear(g: GraphContext, weights: WeightLookup, hooks: DecoderHooks, name: string, x: GgmlTensor): GgmlTensor {
  const weight = requireWeight(weights, `${name}.weight`);
  let y = hooks.linear?.(g, name, weight, x) ?? g.api.ggml_mul_mat(g.ctx, weight, x);
  const bias = weights.get(`${name}.bias`);
  if (bias !== undefined) y = g.api.ggml_add(g.ctx, y, bias);
  return y;
}
