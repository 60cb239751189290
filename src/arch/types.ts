// What an architecture declares: its block over the engine's shared graph pieces, its tensors with shapes, and what
// the methods need to know of it (default LoRA targets, BitFit's biases, the q/k row order of PEFT checkpoints).
import type { ModelHparams } from "./hparams.js";
import type { GgufValue } from "../formats/gguf/values.js";
import type { HfConfig, HfConfigTensor } from "./hf-config.js";

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

/** The block as built from the engine's shared pieces (src/engine/graph/): what varies between llama-family blocks. */
export interface BlockDeclaration {
  /** Projections (the part after "blk.N.") whose bias every file of this architecture carries (qwen2: q, k, v). */
  biases: readonly string[];
  /** Per-head RMSNorm of queries and keys before RoPE (qwen3: attn_q_norm, attn_k_norm). */
  qkNorm: boolean;
}

/** Everything the program knows about one architecture, declared in its own file under src/arch/. */
export interface ArchDefinition {
  /** `general.architecture` value. */
  name: string;
  /** Model families this covers, for messages and docs. */
  families: string;
  /** RoPE layout (llama.cpp's llama_model_rope_type for this architecture). */
  ropeMode: number;
  block: BlockDeclaration;
  /** Projection names (the part after "blk.N.") LoRA adapts by default. */
  defaultLoraTargets: readonly string[];
  /**
   * Projections whose bias llama.cpp's loader of this architecture reads (optional ones included): BitFit trains only
   * these, so every trained bias survives export to a GGUF model.
   */
  bitfitBiases: readonly string[];
  /**
   * The GGUF q/k rows are permuted relative to the Hugging Face checkpoint (convert_hf_to_gguf.py's LlamaModel.permute
   * for a normal-layout RoPE), so PEFT import and export reorder lora_B of q and k.
   */
  permutesQk: boolean;
  /** How Hugging Face transformers names this architecture's checkpoints (PEFT adapters, `models import`). */
  hf: HfNaming;
}

/**
 * Hugging Face names of one architecture: the config.json `architectures` entries it reads, and each GGUF tensor's
 * safetensors name (convert_hf_to_gguf.py's tensor map, read in reverse).
 */
export interface HfNaming {
  /** config.json `architectures[0]` values this architecture imports ("LlamaForCausalLM"). */
  architectures: readonly string[];
  /** Module path of decoder layer N without the number: "model.layers." (then "3.self_attn.q_proj"). */
  layerPrefix: string;
  /** Per-layer GGUF name (after "blk.N.", without ".weight"/".bias") -> module path inside the layer. */
  layerModules: Readonly<Record<string, string>>;
  /** Whole-model GGUF tensor name (without ".weight") -> module path ("token_embd" -> "model.embed_tokens"). */
  globalModules: Readonly<Record<string, string>>;
  /**
   * Added to every "*norm.weight" on import: Gemma's RMSNorm scales by (1 + w) and its checkpoints store w, llama.cpp
   * scales by the stored weight (convert_hf_to_gguf.py's norm_shift).
   */
  normWeightOffset?: number;
  /**
   * GGUF metadata this architecture's loader reads beyond the llama-family keys every import writes, from config.json:
   * key after "<arch>." -> value (these win over the common keys, e.g. a default head width).
   */
  configMetadata?(config: HfConfig): Readonly<Record<string, GgufValue>>;
  /** Tensors convert_hf_to_gguf.py computes from config.json rather than reads (llama 3.1's rope_freqs). */
  configTensors?(config: HfConfig): readonly HfConfigTensor[];
}

/** The module names llama, qwen2, qwen3 and most llama-like decoders share in transformers. */
export const LLAMA_LIKE_HF_MODULES: Readonly<Record<string, string>> = {
  attn_norm: "input_layernorm",
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  ffn_norm: "post_attention_layernorm",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
};

/** token_embd, output_norm and output as transformers' XForCausalLM names them. */
export const LLAMA_LIKE_HF_GLOBALS: Readonly<Record<string, string>> = {
  token_embd: "model.embed_tokens",
  output_norm: "model.norm",
  output: "lm_head",
};

const LINEAR_TARGETS = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"] as const;
export const ALL_PROJECTIONS: readonly string[] = LINEAR_TARGETS;

/** The tensors of a llama-family decoder with this architecture's block (biases, q/k norms). */
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
    for (const projection of arch.block.biases) specs.push({ name: `${p}${projection}.bias`, ne: [projectionWidths(hp)[projection]!], role: "bias" });
    // Biases llama.cpp's loader reads when present (a BitFit model merged into its base has them).
    for (const projection of arch.bitfitBiases.filter((b) => !arch.block.biases.includes(b))) {
      specs.push({ name: `${p}${projection}.bias`, ne: [projectionWidths(hp)[projection]!], optional: true, role: "bias" });
    }
    if (arch.block.qkNorm) {
      specs.push({ name: `${p}attn_q_norm.weight`, ne: [D], role: "norm" }, { name: `${p}attn_k_norm.weight`, ne: [D], role: "norm" });
    }
  }
  return specs;
}

/** Output width of each projection of a block (the length of its bias): queries H * D, keys and values K * D. */
export function projectionWidths(hp: ModelHparams): Readonly<Record<string, number>> {
  const q = hp.headDim * hp.nHead;
  const kv = hp.headDim * hp.nHeadKv;
  return { attn_q: q, attn_k: kv, attn_v: kv, attn_output: hp.nEmbd, ffn_gate: hp.nFf, ffn_up: hp.nFf, ffn_down: hp.nEmbd };
}
