// The feed-forward piece of a block (llama.cpp's build_ffn with LLM_FFN_PAR, or LLM_FFN_SEQ for a fused gate/up):
// down(act(gate(x)) * up(x)) with SiLU (SwiGLU) or GELU-tanh (GeGLU), and the activation hook (a method may scale the
// gated product per channel) on the gated product.
import type { BlockDeclaration } from "../../arch/types.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";
import { geluTanh } from "./activations.js";
import type { DecoderHooks, WeightLookup } from "./hooks.js";
import { linear } from "./linear.js";

/**
 * x [E, N] -> [E, N] through blk.{layer}.ffn_gate/ffn_up [E, F] (or the fused ffn_up [E, 2F], gate rows first) and
 * ffn_down [F, E].
 */
export function gatedFfn(g: GraphContext, block: BlockDeclaration, size: { F: number; N: number }, weights: WeightLookup, hooks: DecoderHooks, layer: number, x: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const p = `blk.${layer}.`;
  let gate: GgmlTensor; //                                                                        [F, N]
  let up: GgmlTensor; //                                                                          [F, N]
  if (block.fusedGateUp) {
    const { F, N } = size;
    const both = linear(g, weights, hooks, `${p}ffn_up`, x); //                                   [2F, N]
    // Rows 0..F-1 of each column are the gate, F..2F-1 the up projection (ggml_swiglu's split of one tensor).
    gate = api.ggml_cont(ctx, api.ggml_view_2d(ctx, both, F, N, 2 * F * 4, 0));
    up = api.ggml_cont(ctx, api.ggml_view_2d(ctx, both, F, N, 2 * F * 4, F * 4));
  } else {
    gate = linear(g, weights, hooks, `${p}ffn_gate`, x);
    up = linear(g, weights, hooks, `${p}ffn_up`, x);
  }
  // ggml_gelu has no backward pass: training graphs compose it (equal up to llama.cpp's CPU kernel, which rounds its
  // input to F16 for a table lookup); inference uses it as llama.cpp does.
  const gelu = (x: GgmlTensor) => (g.differentiable ? geluTanh(g, x) : api.ggml_gelu(ctx, x));
  // SwiGLU as ggml's one op (llama.cpp's build_ffn does the same): its backward recomputes silu(gate) from the gate
  // it keeps anyway, so a training graph stores one [F, N] activation less per block than silu then mul would.
  let act = block.ffnActivation === "gelu" ? api.ggml_mul(ctx, gelu(gate), up) : api.ggml_swiglu_split(ctx, gate, up); // [F, N]
  act = hooks.activation?.(g, "ffn_act", layer, act) ?? act;
  return linear(g, weights, hooks, `${p}ffn_down`, act); //                                        [E, N]
}
