// The feed-forward piece of a block (llama.cpp's build_ffn with LLM_FFN_SILU, LLM_FFN_PAR): down(silu(gate(x)) * up(x)),
// with the activation hook (a method may scale the gated product per channel) on the gated product.
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";
import type { DecoderHooks, WeightLookup } from "./hooks.js";
import { linear } from "./linear.js";

/** x [E, N] -> [E, N] through blk.{layer}.ffn_gate/ffn_up [E, F] and ffn_down [F, E]. */
export function gatedFfn(g: GraphContext, weights: WeightLookup, hooks: DecoderHooks, layer: number, x: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const p = `blk.${layer}.`;
  let act = api.ggml_mul(ctx, api.ggml_silu(ctx, linear(g, weights, hooks, `${p}ffn_gate`, x)), linear(g, weights, hooks, `${p}ffn_up`, x)); // [F, N]
  act = hooks.activation?.(g, "ffn_act", layer, act) ?? act;
  return linear(g, weights, hooks, `${p}ffn_down`, act); //                                        [E, N]
}
