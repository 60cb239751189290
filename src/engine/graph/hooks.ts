// The seams of the decoder graph: where the weights come from, and the points where an adaptation method changes the
// graph (the counterpart of llama.cpp's build_lora_mm). Every method reaches the graph through these, and only these.
// Shape letters as in src/arch/shape.ts (E, F, H, K, D; N tokens of the batch, P prefix or virtual tokens).
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import type { GraphContext } from "../graph-context.js";

/** Weights by GGUF tensor name, already in a backend buffer. */
export interface WeightLookup {
  get(name: string): GgmlTensor | undefined;
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

/** A weight that must exist (the load-time check against the architecture's tensors guarantees it). */
export function requireWeight(weights: WeightLookup, name: string): GgmlTensor {
  const t = weights.get(name);
  if (t === undefined) throw new Error(`weight ${name} is missing (checked at load: this is a bug)`);
  return t;
}
