// The attention piece of a block (llama.cpp's build_attn with its q/k/v projections): grouped-query attention with
// RoPE and a causal mask, optional per-head q/k RMSNorm, keys and values from a cache (generation) or from the batch
// with an attention prefix (prefix tuning). Training-safe ops only (docs/engine-notes.md, GQA, causal mask).
// Shape letters as in src/arch/shape.ts (E, H, K, D; T tokens per sequence, B sequences, N = T * B, P prefix, S slots).
import type { ModelHparams } from "../../arch/hparams.js";
import type { BlockDeclaration } from "../../arch/types.js";
import { GgmlType } from "../../formats/gguf/index.js";
import { tensorShape, type GgmlTensor } from "../../native/ggml-bindings.js";
import { concatWithGradient } from "../concat.js";
import type { GraphContext } from "../graph-context.js";
import { requireWeight, type DecoderHooks, type WeightLookup } from "./hooks.js";
import { linear } from "./linear.js";
import { rmsNorm } from "./norm.js";
import { layerRope, rope } from "./rope.js";

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
  /** F32 [attended, N]: the mask of sliding-window layers (also -inf for slots W or more behind the query). */
  windowMask?: GgmlTensor;
  /** Slots the cache holds: the context size that picks long or short RoPE factors (phi3), as llama.cpp's n_ctx does. */
  capacity: number;
}

/** How the block's attention is built (from the architecture's block declaration) and what it attends over. */
export interface AttentionInputs {
  /** Position of each token: I32 [N]. */
  positions: GgmlTensor;
  /** Tokens per sequence T (virtual tokens included) and sequences B. */
  tokensPerSequence: number;
  sequences: number;
  /** The block's declaration: q/k norms, a fused qkv projection. */
  block: BlockDeclaration;
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
  const P = hooks.attentionPrefix?.count ?? 0;
  const windowed = hp.slidingWindow?.layers[layer] === true;
  const ropeOf = layerRope(hp, weights, layer, inputs.cache?.capacity ?? P + T);
  const rotate = (x: GgmlTensor) => (ropeOf ? rope(g, hp, x, inputs.positions, ropeOf) : x);
  // [D, heads, N] -> [D, T, heads * B]: batch folded into the head dimension so GQA broadcasting works in backward.
  const headsFirst = (x: GgmlTensor, heads: number) =>
    api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, x, D, heads, T, B), 0, 2, 1, 3)), D, T, heads * B);

  const { q: qFlat, k: kFlat, v: vFlat } = projectQkv(g, hp, inputs.block, weights, hooks, layer, h, N);
  let q = api.ggml_reshape_3d(ctx, qFlat, D, H, N); //                                             [D, H, N]
  let k = api.ggml_reshape_3d(ctx, kFlat, D, K, N); //                                             [D, K, N]
  let v = vFlat; //                                                                                [D*K, N]
  if (hooks.activation) {
    k = api.ggml_reshape_3d(ctx, hooks.activation(g, "attn_k", layer, api.ggml_reshape_2d(ctx, k, D * K, N)) ?? k, D, K, N);
    v = hooks.activation(g, "attn_v", layer, v) ?? v;
  }
  if (inputs.block.qkNorm) {
    q = rmsNorm(g, q, requireWeight(weights, `${p}attn_q_norm.weight`), hp.normEps);
    k = rmsNorm(g, k, requireWeight(weights, `${p}attn_k_norm.weight`), hp.normEps);
  }
  q = headsFirst(rotate(q), H); //                                                                 [D, T, H*B]
  let kqv: GgmlTensor; //                                                                          [D, T_q, H*B]
  if (!g.differentiable && !inputs.cache && !hooks.attentionPrefix) {
    // Inference over a batch: ggml's fused attention (no backward pass, so never in a training graph).
    const keys = api.ggml_reshape_4d(ctx, headsFirst(rotate(k), K), D, T, K, B); //                  [D, T, K, B]
    const values = api.ggml_reshape_4d(ctx, headsFirst(api.ggml_reshape_3d(ctx, v, D, K, N), K), D, T, K, B); // [D, T, K, B]
    const window = windowed && T > hp.slidingWindow!.width ? hp.slidingWindow!.width : undefined;
    const out = attendFused(g, hp, api.ggml_reshape_4d(ctx, q, D, T, H, B), keys, values, window); // [D, H, T, B]
    return linear(g, weights, hooks, `${p}attn_output`, api.ggml_reshape_2d(ctx, out, D * H, N)); // [E, N]
  }
  if (inputs.cache) {
    const mask = windowed ? inputs.cache.windowMask : inputs.cache.mask;
    if (!mask) throw new Error("a sliding-window layer needs the cache's window mask (this is a bug)");
    kqv = attendCached(g, inputs.cache, mask, layer, hp, q, api.ggml_reshape_2d(ctx, rotate(k), D * K, N), v);
  } else {
    k = headsFirst(rotate(k), K); //                                                               [D, T, K*B]
    let vT = api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, v, D, K, T, B), 1, 2, 0, 3)), T, D, K * B); // [T, D, K*B]
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
    const window = windowed && P + T > hp.slidingWindow!.width ? windowMask(g, P + T, T, hp.slidingWindow!.width, P) : null;
    kq = api.ggml_soft_max_ext(ctx, kq, window, hp.attentionScale, 0);
    kqv = api.ggml_mul_mat(ctx, vT, kq);
  }
  const merged = api.ggml_reshape_2d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, kqv, D, T, H, B), 0, 2, 1, 3)), D * H, N); // [D*H, N]
  return linear(g, weights, hooks, `${p}attn_output`, merged); //                                  [E, N]
}

/**
 * Attention over a key/value cache: writes this step's keys [D*K, N] and values [D*K, N] to their slots, then attends
 * over the first `attended` slots. Reading through the write's result orders the write before the read in the graph.
 */
function attendCached(g: GraphContext, cache: DecoderCacheInputs, mask: GgmlTensor, layer: number, hp: ModelHparams, q: GgmlTensor, k: GgmlTensor, v: GgmlTensor): GgmlTensor {
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
  kq = api.ggml_soft_max_ext(ctx, kq, mask, hp.attentionScale, 0);
  return api.ggml_mul_mat(ctx, valuesT, kq); //                                                        [D, N, H]
}

/**
 * Queries, keys and values of the block: [H*D, N], [K*D, N], [K*D, N], from separate projections or from rows of the
 * fused attn_qkv output [(H + 2K) D, N] (queries, then keys, then values: convert_hf_to_gguf.py keeps phi3's order).
 */
function projectQkv(g: GraphContext, hp: ModelHparams, block: BlockDeclaration, weights: WeightLookup, hooks: DecoderHooks, layer: number, h: GgmlTensor, N: number): { q: GgmlTensor; k: GgmlTensor; v: GgmlTensor } {
  const p = `blk.${layer}.`;
  if (!block.fusedQkv) {
    return { q: linear(g, weights, hooks, `${p}attn_q`, h), k: linear(g, weights, hooks, `${p}attn_k`, h), v: linear(g, weights, hooks, `${p}attn_v`, h) };
  }
  const { api, ctx } = g;
  const q = hp.nHead * hp.headDim;
  const kv = hp.nHeadKv * hp.headDim;
  const qkv = linear(g, weights, hooks, `${p}attn_qkv`, h); //                                    [q + 2 kv, N]
  const rows = (count: number, first: number) => api.ggml_cont(ctx, api.ggml_view_2d(ctx, qkv, count, N, (q + 2 * kv) * 4, first * 4));
  return { q: rows(q, 0), k: rows(kv, q), v: rows(kv, q + kv) };
}

/**
 * The mask of a sliding-window layer over scores [P+T_k, T_q, heads] (added by the softmax): a large negative value
 * where the key is W or more positions behind its query (llama.cpp's LLAMA_SWA_TYPE_STANDARD: p_q - p_k >= W), 0
 * elsewhere. Key i_k sits at position i_k - P, query i_q at i_q, so the hidden pairs are (i_q + P - W + 0.5) - i_k > 0.
 */
function windowMask(g: GraphContext, keys: number, queries: number, width: number, prefix: number): GgmlTensor {
  return positionMask(g, keys, queries, prefix - width + 0.5, "behind");
}

/**
 * [keys, queries]: -1e30 where the key lies behind the query by more than `offset` says ((i_q + offset) - i_k > 0,
 * "behind") or after it (i_k - (i_q + offset) > 0, "ahead"), 0 elsewhere. Built in the graph from ggml_arange, so no
 * caller sets it, and it is a constant the backward pass leaves alone (ggml's softmax has no gradient for its mask).
 * -1e30 rather than -inf: 0 * -inf would be NaN in the product that places it.
 */
function positionMask(g: GraphContext, keys: number, queries: number, offset: number, hide: "behind" | "ahead"): GgmlTensor {
  const { api, ctx } = g;
  const keyIndex = api.ggml_reshape_2d(ctx, api.ggml_arange(ctx, 0, keys, 1), keys, 1); //                [K_n, 1]
  const queryIndex = api.ggml_reshape_2d(ctx, api.ggml_arange(ctx, offset, offset + queries, 1), 1, queries); // [1, Q_n]
  const behind = api.ggml_sub(ctx, api.ggml_repeat(ctx, queryIndex, api.ggml_new_tensor_2d(ctx, GgmlType.F32, keys, queries)), keyIndex); // [K_n, Q_n]
  return api.ggml_scale(ctx, api.ggml_step(ctx, hide === "behind" ? behind : api.ggml_neg(ctx, behind)), -1e30);
}

/**
 * Causal attention in one ggml_flash_attn_ext (llama.cpp's flash-attention path): the [T, T] scores are never
 * materialised, which makes scoring and perplexity about 15% faster on the reference Q8_0 model (docs/performance.md).
 * q [D, T, H, B], k and v [D, T, K, B] (grouped-query heads broadcast inside the op) -> [D, H, T, B]. The mask is the
 * causal one, plus the sliding window when `width` is given, built in the graph like windowMask and cast to the F16
 * the op reads (-1e30 becomes -inf there).
 */
function attendFused(g: GraphContext, hp: ModelHparams, q: GgmlTensor, k: GgmlTensor, v: GgmlTensor, width: number | undefined): GgmlTensor {
  const { api, ctx } = g;
  const T = tensorShape(q).ne[1]!;
  let mask = positionMask(g, T, T, 0, "ahead"); //                                                    [T_k, T_q]
  if (width !== undefined) mask = api.ggml_add(ctx, mask, windowMask(g, T, T, width, 0));
  return api.ggml_flash_attn_ext(ctx, q, k, v, api.ggml_cast(ctx, mask, GgmlType.F16), hp.attentionScale, 0, 0);
}
