// The llama-family decoder graph, shared by every architecture file: embeddings, L blocks of (RMSNorm, attention with
// RoPE and GQA, RMSNorm, SwiGLU feed-forward), final norm and output head. Training-safe ops only (docs/engine-notes.md, GQA, causal mask).
// Shape letters as in src/arch/shape.ts (E, F, V, H, K, D; T tokens per sequence, B sequences, N = T * B, R output rows).
import { concatWithGradient } from "../engine/concat.js";
import type { GraphContext } from "../engine/graph-context.js";
import { GgmlType } from "../formats/gguf/index.js";
import type { GgmlTensor } from "../native/ggml-bindings.js";
import type { ModelHparams } from "./hparams.js";
import type { ArchDefinition } from "./types.js";

/** Weights by GGUF tensor name, already in a backend buffer. */
export interface WeightLookup {
  get(name: string): GgmlTensor | undefined;
}

export interface DecoderInputs {
  /** Token ids, sequence after sequence: I32 [N]. */
  tokens: GgmlTensor;
  /** Position of each token: I32 [N]. */
  positions: GgmlTensor;
  /** Which of the N rows to compute logits for: I32 [R]; all rows when absent. */
  outputRows?: GgmlTensor;
  tokensPerSequence: number;
  sequences: number;
  /** Incremental decoding (generation, one sequence): keys and values go to a persistent cache that attention reads. */
  cache?: DecoderCacheInputs;
  /** Build only part of the decoder (activation checkpointing, engine/checkpointed-pass.ts); the whole when absent. */
  segment?: DecoderSegment;
}

/**
 * Part of the decoder: blocks [fromLayer, toLayer), starting from the embeddings (no `hiddenIn`) or from a given
 * residual stream; buildDecoder ends it with the head, buildDecoderResidual with the residual stream after block
 * toLayer - 1.
 */
export interface DecoderSegment {
  /** Residual stream entering block fromLayer: [E, N] (N counts virtual tokens). */
  hiddenIn?: GgmlTensor;
  fromLayer: number;
  toLayer: number;
  /** Called with the residual stream entering each block of the segment, and with the one leaving the last. */
  onResidual?(layer: number, x: GgmlTensor): void;
}

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

/** Points where adaptation methods change the graph. A hook returns undefined to leave the default in place. */
export interface DecoderHooks {
  /** y = W x for the projection `name` ("blk.3.attn_q", "output"): LoRA adds its low-rank term here. */
  linear?(g: GraphContext, name: string, weight: GgmlTensor, x: GgmlTensor): GgmlTensor | undefined;
  /**
   * Virtual tokens placed before every sequence (prompt tuning): [E, P] embeddings. The caller sizes positions for
   * (P + T) tokens per sequence and selects the real rows as output rows.
   */
  virtualTokens?: { count: number; embed(g: GraphContext): GgmlTensor };
  /** Per-layer key/value prefixes attended by every position (prefix tuning): K [D, P, K], V [D, P, K]. */
  attentionPrefix?: { count: number; kv(g: GraphContext, layer: number): { k: GgmlTensor; v: GgmlTensor } };
  /** Rescales an activation (a learned scaling vector): keys and values [D*K, N] after projection, the ffn activation [F, N]. */
  activation?(g: GraphContext, site: "attn_k" | "attn_v" | "ffn_act", layer: number, x: GgmlTensor): GgmlTensor | undefined;
}

export interface DecoderOutputs {
  /** [V, R] logits. */
  logits: GgmlTensor;
  /** [E, R] final hidden state after the output norm. */
  hidden: GgmlTensor;
}

/** The decoder (or its segment, inputs.segment) with the head: logits. */
export function buildDecoder(g: GraphContext, arch: ArchDefinition, hp: ModelHparams, weights: WeightLookup, inputs: DecoderInputs, hooks: DecoderHooks = {}): DecoderOutputs {
  return decoderGraph(g, arch, hp, weights, inputs, hooks, true).outputs!;
}

/** The blocks of inputs.segment without the head: the residual stream after its last block, [E, N]. */
export function buildDecoderResidual(g: GraphContext, arch: ArchDefinition, hp: ModelHparams, weights: WeightLookup, inputs: DecoderInputs & { segment: DecoderSegment }, hooks: DecoderHooks = {}): GgmlTensor {
  return decoderGraph(g, arch, hp, weights, inputs, hooks, false).residual;
}

function decoderGraph(
  g: GraphContext,
  arch: ArchDefinition,
  hp: ModelHparams,
  weights: WeightLookup,
  inputs: DecoderInputs,
  hooks: DecoderHooks,
  withHead: boolean,
): { residual: GgmlTensor; outputs?: DecoderOutputs } {
  const segment: DecoderSegment = inputs.segment ?? { fromLayer: 0, toLayer: hp.nLayer };
  const { api, ctx } = g;
  const B = inputs.sequences;
  // With virtual tokens (prompt tuning) each sequence grows by their count; positions cover the grown sequence.
  const T = inputs.tokensPerSequence + (hooks.virtualTokens?.count ?? 0);
  const N = T * B;
  const { nHead: H, nHeadKv: K, headDim: D } = hp;
  const w = (name: string): GgmlTensor => {
    const t = weights.get(name);
    if (t === undefined) throw new Error(`weight ${name} is missing (checked at load: this is a bug)`);
    return t;
  };
  const linear = (name: string, x: GgmlTensor): GgmlTensor => {
    const weight = w(`${name}.weight`);
    let y = hooks.linear?.(g, name, weight, x) ?? api.ggml_mul_mat(ctx, weight, x);
    const bias = weights.get(`${name}.bias`);
    if (bias !== undefined) y = api.ggml_add(ctx, y, bias);
    return y;
  };
  const rmsNorm = (x: GgmlTensor, weightName: string) => api.ggml_mul(ctx, api.ggml_rms_norm(ctx, x, hp.normEps), w(weightName));
  const rope = (x: GgmlTensor) =>
    api.ggml_rope_ext(ctx, x, inputs.positions, weights.get("rope_freqs.weight") ?? null, hp.ropeDims, hp.ropeMode, hp.ropeCtxOrig,
      hp.ropeFreqBase, hp.ropeFreqScale, 0, 1, 32, 1);
  // [D, heads, N] -> [D, T, heads * B]: batch folded into the head dimension so GQA broadcasting works in backward.
  const headsFirst = (x: GgmlTensor, heads: number) =>
    api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, x, D, heads, T, B), 0, 2, 1, 3)), D, T, heads * B);

  let x = segment.hiddenIn ?? g.named(api.ggml_get_rows(ctx, w("token_embd.weight"), inputs.tokens), "inp_embd"); // [E, T_real*B]
  if (hooks.virtualTokens && !segment.hiddenIn) {
    const E = hp.nEmbd;
    const count = hooks.virtualTokens.count;
    const virtual = api.ggml_repeat(ctx, hooks.virtualTokens.embed(g), api.ggml_new_tensor_3d(ctx, GgmlType.F32, E, count, B)); // [E, P, B]
    const real = api.ggml_reshape_3d(ctx, x, E, inputs.tokensPerSequence, B); //                   [E, T_real, B]
    x = api.ggml_reshape_2d(ctx, concatWithGradient(g, virtual, real, 1), E, N); //                 [E, N]
  }
  const P = hooks.attentionPrefix?.count ?? 0;
  const cache = inputs.cache;
  if (cache && (B !== 1 || hooks.attentionPrefix)) {
    throw new Error("a cached decoder runs one sequence, with any attention prefix already in the cache (this is a bug)");
  }
  for (let il = segment.fromLayer; il < segment.toLayer; il++) {
    segment.onResidual?.(il, x);
    const p = `blk.${il}.`;
    const h = rmsNorm(x, `${p}attn_norm.weight`); //                                                [E, N]
    let q = api.ggml_reshape_3d(ctx, linear(`${p}attn_q`, h), D, H, N); //                          [D, H, N]
    let k = api.ggml_reshape_3d(ctx, linear(`${p}attn_k`, h), D, K, N); //                          [D, K, N]
    let v = linear(`${p}attn_v`, h); //                                                             [D*K, N]
    if (hooks.activation) {
      k = api.ggml_reshape_3d(ctx, hooks.activation(g, "attn_k", il, api.ggml_reshape_2d(ctx, k, D * K, N)) ?? k, D, K, N);
      v = hooks.activation(g, "attn_v", il, v) ?? v;
    }
    if (arch.qkNorm) {
      q = rmsNorm(q, `${p}attn_q_norm.weight`);
      k = rmsNorm(k, `${p}attn_k_norm.weight`);
    }
    q = headsFirst(rope(q), H); //                                                                  [D, T, H*B]
    let kqv: GgmlTensor; //                                                                         [D, T_q, H*B]
    if (cache) {
      kqv = attendCached(g, cache, il, hp, q, api.ggml_reshape_2d(ctx, rope(k), D * K, N), v);
    } else {
      k = headsFirst(rope(k), K); //                                                                [D, T, K*B]
      let vT = api.ggml_reshape_3d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, v, D, K, T, B), 1, 2, 0, 3)), T, D, K * B); // [T, D, K*B]
      if (hooks.attentionPrefix) {
        // Prefix keys and values come first: every query sees all P of them (n_past = P in the causal mask).
        const prefix = hooks.attentionPrefix.kv(g, il); //                                          [D, P, K] each
        const pk = api.ggml_repeat(ctx, prefix.k, api.ggml_new_tensor_3d(ctx, GgmlType.F32, D, P, K * B)); // [D, P, K*B]
        const pvT = api.ggml_repeat(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, prefix.v, 1, 0, 2, 3)), api.ggml_new_tensor_3d(ctx, GgmlType.F32, P, D, K * B)); // [P, D, K*B]
        k = concatWithGradient(g, pk, k, 1); //                                                     [D, P+T, K*B]
        vT = concatWithGradient(g, pvT, vT, 0); //                                                  [P+T, D, K*B]
      }
      let kq = api.ggml_mul_mat(ctx, k, q); //                                                      [P+T_k, T_q, H*B]
      kq = api.ggml_diag_mask_inf(ctx, kq, P);
      kq = api.ggml_soft_max_ext(ctx, kq, null, 1 / Math.sqrt(D), 0);
      kqv = api.ggml_mul_mat(ctx, vT, kq);
    }
    const merged = api.ggml_reshape_2d(ctx, api.ggml_cont(ctx, api.ggml_permute(ctx, api.ggml_reshape_4d(ctx, kqv, D, T, H, B), 0, 2, 1, 3)), D * H, N); // [D*H, N]
    x = g.named(api.ggml_add(ctx, x, linear(`${p}attn_output`, merged)), `ffn_inp-${il}`); //        [E, N]
    const h2 = rmsNorm(x, `${p}ffn_norm.weight`);
    let act = api.ggml_mul(ctx, api.ggml_silu(ctx, linear(`${p}ffn_gate`, h2)), linear(`${p}ffn_up`, h2)); // [F, N]
    act = hooks.activation?.(g, "ffn_act", il, act) ?? act;
    x = g.named(api.ggml_add(ctx, x, linear(`${p}ffn_down`, act)), `l_out-${il}`); //               [E, N]
  }
  segment.onResidual?.(segment.toLayer, x);
  if (!withHead) return { residual: x };
  const residual = x;
  if (inputs.outputRows) x = api.ggml_get_rows(ctx, x, inputs.outputRows); //                     [E, R]
  const hidden = g.named(rmsNorm(x, "output_norm.weight"), "result_norm");
  const head = weights.get("output.weight") ?? w("token_embd.weight");
  const logits = g.named(hooks.linear?.(g, "output", head, hidden) ?? api.ggml_mul_mat(ctx, head, hidden), "result_output"); // [V, R]
  return { residual, outputs: { logits, hidden } };
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
