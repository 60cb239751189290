// Rotary position embedding of queries or keys, in the layout the architecture declares (ROPE_MODE: normal or neox),
// with llama 3.1's per-dimension factors (rope_freqs.weight) when the model has them.
import type { ModelHparams } from "../../arch/hparams.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";

/** x [D, heads, N] rotated by the positions I32 [N]; `freqs` [D/2] or null. */
export function rope(g: GraphContext, hp: ModelHparams, x: GgmlTensor, positions: GgmlTensor, freqs: GgmlTensor | null): GgmlTensor {
  // ext_factor 0, attn_factor 1, beta_fast 32, beta_slow 1: llama.cpp's values without YaRN.
  return g.api.ggml_rope_ext(g.ctx, x, positions, freqs, hp.ropeDims, hp.ropeMode, hp.ropeCtxOrig, hp.ropeFreqBase, hp.ropeFreqScale, 0, 1, 32, 1);
}
