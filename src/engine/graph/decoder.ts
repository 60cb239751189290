// The decoder graph assembled from the shared pieces (llama.cpp's llm_build_* over build_norm, build_attn, build_ffn):
// embeddings (with any virtual tokens), L blocks as the architecture declares them (norm, attention, norm, gated FFN,
// each added to the residual stream), the final norm and the output head.
// Shape letters as in src/arch/shape.ts (E, V; T tokens per sequence, B sequences, N = T * B, R output rows).
import type { ModelHparams } from "../../arch/hparams.js";
import type { ArchDefinition } from "../../arch/types.js";
import { GgmlType } from "../../formats/gguf/index.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import { concatWithGradient } from "../concat.js";
import type { GraphContext } from "../graph-context.js";
import { selfAttention, type DecoderCacheInputs } from "./attention.js";
import { gatedFfn } from "./ffn.js";
import { requireWeight, type DecoderHooks, type WeightLookup } from "./hooks.js";
import { rmsNorm } from "./norm.js";
import { softcap } from "./activations.js";

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
  const norm = (x: GgmlTensor, weightName: string) => rmsNorm(g, x, requireWeight(weights, weightName), hp.normEps);

  let x = segment.hiddenIn ?? embedTokens(g, arch, hp, weights, inputs.tokens); //               [E, T_real*B]
  if (hooks.virtualTokens && !segment.hiddenIn) {
    const E = hp.nEmbd;
    const count = hooks.virtualTokens.count;
    const virtual = api.ggml_repeat(ctx, hooks.virtualTokens.embed(g), api.ggml_new_tensor_3d(ctx, GgmlType.F32, E, count, B)); // [E, P, B]
    const real = api.ggml_reshape_3d(ctx, x, E, inputs.tokensPerSequence, B); //                   [E, T_real, B]
    x = api.ggml_reshape_2d(ctx, concatWithGradient(g, virtual, real, 1), E, N); //                 [E, N]
  }
  const cache = inputs.cache;
  if (cache && (B !== 1 || hooks.attentionPrefix)) {
    throw new Error("a cached decoder runs one sequence, with any attention prefix already in the cache (this is a bug)");
  }
  const attention = { positions: inputs.positions, tokensPerSequence: T, sequences: B, block: arch.block, ...(cache ? { cache } : {}) };
  const norms = arch.block.norms ?? "pre";
  // Pre-norms normalise what enters attention and the FFN; post-norms what leaves them, before the residual add.
  const before = (x: GgmlTensor, name: string) => (norms === "post" ? x : norm(x, name));
  const after = (x: GgmlTensor, name: string) => (norms === "pre" ? x : norm(x, name));
  const ffnSize = { F: hp.nFf, N };
  for (let il = segment.fromLayer; il < segment.toLayer; il++) {
    segment.onResidual?.(il, x);
    const p = `blk.${il}.`;
    const attnOut = selfAttention(g, hp, weights, hooks, il, before(x, `${p}attn_norm.weight`), attention); // [E, N]
    x = g.named(api.ggml_add(ctx, x, after(attnOut, `${p}post_attention_norm.weight`)), `ffn_inp-${il}`); // [E, N]
    const ffnOut = gatedFfn(g, arch.block, ffnSize, weights, hooks, il, before(x, `${p}ffn_norm.weight`)); // [E, N]
    x = g.named(api.ggml_add(ctx, x, after(ffnOut, `${p}post_ffw_norm.weight`)), `l_out-${il}`); //  [E, N]
  }
  segment.onResidual?.(segment.toLayer, x);
  if (!withHead) return { residual: x };
  const residual = x;
  if (inputs.outputRows) x = api.ggml_get_rows(ctx, x, inputs.outputRows); //                     [E, R]
  const hidden = g.named(norm(x, "output_norm.weight"), "result_norm");
  const head = weights.get("output.weight") ?? requireWeight(weights, "token_embd.weight");
  let logits = hooks.linear?.(g, "output", head, hidden) ?? api.ggml_mul_mat(ctx, head, hidden); // [V, R]
  if (hp.finalLogitSoftcap > 0) logits = softcap(g, logits, hp.finalLogitSoftcap);
  logits = g.named(logits, "result_output");
  return { residual, outputs: { logits, hidden } };
}

/** Rows of token_embd for the tokens I32 [N] -> [E, N], times sqrt(E) where the architecture scales them (gemma). */
function embedTokens(g: GraphContext, arch: ArchDefinition, hp: ModelHparams, weights: WeightLookup, tokens: GgmlTensor): GgmlTensor {
  const { api, ctx } = g;
  const rows = api.ggml_get_rows(ctx, requireWeight(weights, "token_embd.weight"), tokens);
  // llama.cpp scales by sqrtf(n_embd) in float: Math.fround keeps the same constant.
  return g.named(arch.block.scaleEmbeddings ? api.ggml_scale(ctx, rows, Math.fround(Math.sqrt(hp.nEmbd))) : rows, "inp_embd");
}
