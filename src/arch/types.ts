// What an architecture declares: its tensors with shapes, its attention variant, and its default adaptation targets.
import type { ModelHparams } from "./hparams.js";

/** One tensor the architecture expects, with its shape in ggml order (ne[0] first). */
export interface TensorSpec {
  /** GGUF name, e.g. "blk.0.attn_q.weight". */
  name: string;
  ne: number[];
  /** Absent from some files of this architecture (e.g. output.weight when embeddings are tied). */
  optional?: boolean;
  /** What the tensor is: random initialisation and method filters (BitFit trains biases, LoRA adapts weights) use it. */
  role: "embedding" | "norm" | "weight" | "bias";
}

export interface ArchDefinition {
  /** `general.architecture` value. */
  name: string;
  /** Model families this covers, for messages and docs. */
  families: string;
  /** RoPE layout (llama.cpp's llama_model_rope_type for this architecture). */
  ropeMode: number;
  /** q/k/v projections carry biases (qwen2). */
  qkvBias: boolean;
  /** Per-head RMSNorm of queries and keys before RoPE (qwen3). */
  qkNorm: boolean;
  /** Projection names (the part after "blk.N.") LoRA adapts by default. */
  defaultLoraTargets: readonly string[];
}

const LINEAR_TARGETS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
export const ALL_PROJECTIONS: readonly string[] = LINEAR_TARGETS;

/** The tensors of a llama-family decoder with this architecture's variant (biases, q/k norms). */
export function decoderTensorSpecs(arch: ArchDefinition, hp: ModelHparams): TensorSpec[] {
  const { nEmbd: E, nFf: F, nVocab: V, nHead: H, nHeadKv: K, headDim: D } = hp;
  const specs: TensorSpec[] = [
    { name: "token_embd.weight", ne: [E, V], role: "embedding" },
    { name: "output_norm.weight", ne: [E], role: "norm" },
    { name: "output.weight", ne: [E, V], optional: true, role: "weight" },
  ];
  for (let il = 0; il < hp.nLayer; il++) {
    const p = `blk.${il}.`;
    specs.push(
      { name: `${p}attn_norm.weight`, ne: [E], role: "norm" },
      { name: `${p}attn_q.weight`, ne: [E, D * H], role: "weight" },
      { name: `${p}attn_k.weight`, ne: [E, D * K], role: "weight" },
      { name: `${p}attn_v.weight`, ne: [E, D * K], role: "weight" },
      { name: `${p}attn_output.weight`, ne: [D * H, E], role: "weight" },
      { name: `${p}ffn_norm.weight`, ne: [E], role: "norm" },
      { name: `${p}ffn_gate.weight`, ne: [E, F], role: "weight" },
      { name: `${p}ffn_up.weight`, ne: [E, F], role: "weight" },
      { name: `${p}ffn_down.weight`, ne: [F, E], role: "weight" },
    );
    if (arch.qkvBias) {
      specs.push(
        { name: `${p}attn_q.bias`, ne: [D * H], role: "bias" },
        { name: `${p}attn_k.bias`, ne: [D * K], role: "bias" },
        { name: `${p}attn_v.bias`, ne: [D * K], role: "bias" },
      );
    }
    if (arch.qkNorm) {
      specs.push({ name: `${p}attn_q_norm.weight`, ne: [D], role: "norm" }, { name: `${p}attn_k_norm.weight`, ne: [D], role: "norm" });
    }
  }
  return specs;
}
