// The attention piece of a block (llama.cpp's build_attn with its q/k/v projections): grouped-query attention with
// RoPE and a causal mask, optional per-head q/k RMSNorm, keys and values from a cache (generation) or from the batch
// with an attention prefix (prefix tuning). Training-safe ops only (docs/engine-notes.md, GQA, causal mask).
// Shape letters as in src/arch/shape.ts (E, H, K, D; T tokens per sequence, B sequences, N = T * B, P prefix, S slots).
import type { ModelHparams } from "../../arch/hparams.js";
import { GgmlType } from "../../formats/gguf/index.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import { concatWithGradient } from "../concat.js";
import type { GraphContext } from "../graph-context.js";
import { requireWeight, type DecoderHooks, type WeightLookup } from "./hooks.js";
import { linear } from "./linear.js";
import { rmsNorm } from "./norm.js";
import { rope } from "./rope.js";

/**
 * A key/value cache in cache slots: the new tokens' keys and values are written to their slots, then every query
 * attends over the first `attended` slots through `mask` (causality and unfilled slots are -inf there).
 */
export interface DecoderCacheInputs {
  /** Per layer, keys and values: F32 [D*K, slots], one row per slot holding all kv heads. */
  layers: ReadonlyArray<{ k: GgmlTensor; v: GgmlTensor }>;
  /** Slot of each new token: I32 [N]. */
  slots: GgmlTensor;
  /** How many leading slots attention reads. */
  attended: number;
  /** F32 [attended, N]: 0 where the query may see the slot, -inf where it may not. */
  mask: GgmlTensor;
}

/** How the block's attention is built (from the architecture's block declaration) and what it attends over. */
export interface AttentionInputs {
  /** Position of each token: I32 [N]. */
  positions: GgmlTensor;
  /** Tokens per sequence T (virtual tokens included) and sequences B. */
  tokensPerSequence: number;
  sequences: number;
  /** Per-head RMSNorm of queries and keys before RoPE (attn_q_norm, attn_k_norm). */
  qkNorm: boolean;
  cache?: DecoderCacheInputs;
}

/** h [E, N] (the normed residual stream) -> attn_output(attention(q, k, v)) [E, N] for block `layer`. */
export function selfAttention(g: GraphContext, hp: ModelHparams, weights: WeightLookup, hooks: DecoderHooks, layer: number, h: GgmlTensor, inputs: AttentionInputs): GgmlTensor {
  const { api, ctx } = g;
  const { nHead: H, nHeadKv: K, headDim: D } = hp;
  const T = inputs.tokensPerSequence;
  const B = inputs.sequences;
  const N = T * B;
  const p = `blk.${layer}.`;
  const freqs = weights.get("rope_freqs.weight") ?? null;
  const rotate = (x: GgmlTensor) => rope(g, hp, x, inputs.positions, freqs);
  // [D, heads, N] -> [D, T, heads * B]: batch folded into the head dimension so GQA broadcasting works in backward.
  const headsFirst = (x: GgmlTensor, heads: number) =>
    api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, x, D, heads, T, B), 0, 2, 1, 3)), D, T, heads * B);

  let q = api.ggml_reshape_3d(ctx, linear(g, weights, hooks, `${p}attn_q`, h), D, H, N); //        [D, H, N]
  let k = api.ggml_reshape_3d(ctx, linear(g, weights, hooks, `${p}attn_k`, h), D, K, N); //        [D, K, N]
  let v = linear(g, weights, hooks, `${p}attn_v`, h); //                                           [D*K, N]
  if (hooks.activation) {
    k = api.ggml_reshape_3d(ctx, hooks.activation(g, "attn_k", layer, api.ggml_reshape_2d(ctx, k, D * K, N)) ?? k, D, K, N);
    v = hooks.activation(g, "attn_v", layer, v) ?? v;
  }
  if (inputs.qkNorm) {
    q = rmsNorm(g, q, requireWeight(weights, `${p}attn_q_norm.weight`), hp.normEps);
    k = rmsNorm(g, k, requireWeight(weights, `${p}attn_k_norm.weight`), hp.normEps);
  }
  q = headsFirst(rotate(q), H); //                                                                 [D, T, H*B]
  let kqv: GgmlTensor; //                                                                          [D, T_q, H*B]
  if (inputs.cache) {
    kqv = attendCached(g, inputs.cache, layer, hp, q, api.ggml_reshape_2d(ctx, rotate(k), D * K, N), v);
  } else {
    k = headsFirst(rotate(k), K); //                                                               [D, T, K*B]
    let vT = api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, v, D, K, T, B), 1, 2, 0, 3)), T, D, K * B); // [T, D, K*B]
    const P = hooks.attentionPrefix?.count ?? 0;
    if (hooks.attentionPrefix) {
      // Prefix keys and values come first: every query sees all P of them (n_past = P in the causal mask).
      const prefix = hooks.attentionPrefix.kv(g, layer); //                                        [D, P, K] each
      const pk = api.ggml_repeat(ctx, prefix.k, api.ggml_new_tensor_3d(ctx, GgmlType.F32, D, P, K * B)); // [D, P, K*B]
      const pvT = api.ggml_repeat(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, prefix.v, 1, 0, 2, 3)), api.ggml_new_tensor_3d(ctx, GgmlType.F32, P, D, K * B)); // [P, D, K*B]
      k = concatWithGradient(g, pk, k, 1); //                                                      [D, P+T, K*B]
      vT = concatWithGradient(g, pvT, vT, 0); //                                                   [P+T, D, K*B]
    }
    let kq = api.ggml_mul_mat(ctx, k, q); //                                                       [P+T_k, T_q, H*B]
    kq = api.ggml_diag_mask_inf(ctx, kq, P);
    kq = api.ggml_soft_max_ext(ctx, kq, null, 1 / Math.sqrt(D), 0);
    kqv = api.ggml_mul_mat(ctx, vT, kq);
  }
  const merged = api.ggml_reshape_2d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, kqv, D, T, H, B), 0, 2, 1, 3)), D * H, N); // [D*H, N]
  return linear(g, weights, hooks, `${p}attn_output`, merged); //                                  [E, N]
}

/**
 * Attention over a key/value cache: writes this step's keys [D*K, N] and values [D*K, N] to their slots, then attends
 * over the first `attended` slots. Reading through the write's result orders the write before the read in the graph.
 */
function attendCached(g: GraphContext, cache: DecoderCacheInputs, layer: number, hp: ModelHparams, q: GgmlTensor, k: GgmlTensor, v: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const { nHeadKv: K, headDim: D } = hp;
  const entry = cache.layers[layer];
  if (entry === undefined) throw new Error(`no cache for layer ${layer} (this is a bug)`);
  const S = cache.attended;
  const row = D * K * 4; // bytes of one slot (F32)
  // [D, S, K] over slot rows: head h of slot s starts at s * row + h * D floats.
  const slotsView = (t: GgmlTensor) => api.ggml_view_3d(ctx, t, D, S, K, row, D * 4, 0);
  const keys = slotsView(api.ggml_set_rows(ctx, entry.k, k, cache.slots)); //                          [D, S, K]
  const values = slotsView(api.ggml_set_rows(ctx, entry.v, v, cache.slots)); //                        [D, S, K]
  const valuesT = api.ggml_cont(ctx, api.ggml_permute(ctx, values, 1, 0, 2, 3)); //                     [S, D, K]
  let kq = api.ggml_mul_mat(ctx, keys, q); //                                                          [S, N, H]
  kq = api.ggml_soft_max_ext(ctx, kq, cache.mask, 1 / Math.sqrt(D), 0);
  return api.ggml_mul_mat(ctx, valuesT, kq); //                                                        [D, N, H]
}
