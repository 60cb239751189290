// Rotary position embedding of queries or keys, in the layout the architecture declares (ROPE_MODE: normal or neox),
// with per-dimension frequency factors when the model has them (llama 3.1's rope_freqs, phi3's short and long
// factors), and the per-layer bases of sliding-window models (llama.cpp's get_rope_freq_base/get_rope_freq_scale).
import type { ModelHparams } from "../../arch/hparams.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";
import type { WeightLookup } from "./hooks.js";

/** How one layer rotates: its frequency base and scale, and the factors [D/2] or null. */
export interface LayerRope {
  freqBase: number;
  freqScale: number;
  factors: GgmlTensor | null;
}

/**
 * The RoPE of block `layer`, or undefined where the layer has none (exaone4's global layers). `contextLength` picks
 * phi3's long factors when the context exceeds the original training context, as llama.cpp's get_rope_factors does.
 */
export function layerRope(hp: ModelHparams, weights: WeightLookup, layer: number, contextLength: number): LayerRope | undefined {
  const window = hp.slidingWindow;
  const windowed = window?.layers[layer] === true;
  if (window && !windowed && !window.ropeOnGlobalLayers) return undefined;
  const factors = weights.get("rope_freqs.weight") ?? weights.get(contextLength > hp.ropeCtxOrig ? "rope_factors_long.weight" : "rope_factors_short.weight") ?? null;
  return windowed ? { freqBase: window!.ropeFreqBase, freqScale: window!.ropeFreqScale, factors } : { freqBase: hp.ropeFreqBase, freqScale: hp.ropeFreqScale, factors };
}

/** x [D, heads, N] rotated by the positions I32 [N]. */
export function rope(g: GraphContext, hp: ModelHparams, x: GgmlTensor, positions: GgmlTensor, layer: LayerRope): GgmlTensor {
  // ext_factor 0, beta_fast 32, beta_slow 1: llama.cpp's values without YaRN; attn_factor scales the rotated values
  // (1 unless the file sets rope.scaling.attn_factor).
  return g.api.ggml_rope_ext(g.ctx, x, positions, layer.factors, hp.ropeDims, hp.ropeMode, hp.ropeCtxOrig, layer.freqBase, layer.freqScale, 0, hp.ropeAttnFactor, 32, 1);
}
