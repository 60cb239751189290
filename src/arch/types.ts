// What an architecture declares: its block over the engine's shared graph pieces, its tensors with shapes, and what
// the methods need to know of it (default LoRA targets, BitFit's biases, the q/k row order of PEFT checkpoints).
import type { ModelHparams } from "./hparams.js";
import type { DecoderShape } from "./shape.js";
import type { GgufValue } from "../formats/gguf/values.js";
import type { HfConfig, HfConfigTensor } from "./hf-config.js";

/** One tensor the architecture expects, with its shape in ggml order (ne[0] first). */
export interface TensorSpec {
  /** GGUF name, e.g. "blk.0.attn_q.weight". */
  name: string;
  ne: number[];
  /** Absent from some files of this architecture (e.g. output.weight when embeddings are tied). */
  optional?: boolean;
  /**
   * What the tensor is: random initialisation and method filters (BitFit trains biases, LoRA adapts weights) use it.
   * "rope": RoPE frequency factors, constants of the rope op that nothing trains (ggml has no gradient for them).
   */
  role: "embedding" | "norm" | "weight" | "bias" | "rope";
}

/** RoPE frequency factors a model may carry (llama 3.1's rope_freqs, phi3's LongRoPE short and long factors). */
const ROPE_FACTOR_TENSORS: ReadonlySet<string> = new Set(["rope_freqs.weight", "rope_factors_long.weight", "rope_factors_short.weight"]);

/** A tensor that training may change: everything but the RoPE factors (constants of the rope op, without a gradient). */
export function isTrainableTensor(name: string): boolean {
  return !ROPE_FACTOR_TENSORS.has(name);
}

/** The block as built from the engine's shared pieces (src/engine/graph/): what varies between llama-family blocks. */
export interface BlockDeclaration {
  /** Projections (the part after "blk.N.") whose bias every file of this architecture carries (qwen2: q, k, v). */
  biases: readonly string[];
  /** Per-head RMSNorm of queries and keys before RoPE (qwen3, gemma3, exaone4: attn_q_norm, attn_k_norm). */
  qkNorm: boolean;
  /**
   * Where the block's RMSNorms sit (llama.cpp's build_norm calls): "pre" normalises the input of attention and of the
   * FFN (attn_norm, ffn_norm); "pre-post" also normalises each output before it joins the residual stream
   * (gemma3: post_attention_norm, post_ffw_norm); "post" only normalises the outputs (exaone4). Default "pre".
   */
  norms?: "pre" | "pre-post" | "post";
  /** Activation of the FFN's gate: SiLU (SwiGLU, default) or GELU with the tanh approximation (gemma3's GeGLU). */
  ffnActivation?: "silu" | "gelu";
  /** Queries, keys and values come from one fused weight attn_qkv [E, (H + 2K) D] (phi3). */
  fusedQkv?: boolean;
  /** Gate and up come from one fused weight ffn_up [E, 2F], gate rows first (phi3's LLM_FFN_SWIGLU with LLM_FFN_SEQ). */
  fusedGateUp?: boolean;
  /** Token embeddings are multiplied by sqrt(E) before the first block (gemma). */
  scaleEmbeddings?: boolean;
}

/** Sliding-window attention as llama.cpp's LLAMA_SWA_TYPE_STANDARD: a query sees keys less than `width` positions back. */
export interface SlidingWindow {
  /** Window width W: query position p sees key positions p - W + 1 .. p. */
  width: number;
  /** Per layer: true where the layer attends within the window, false where it attends to every earlier position. */
  layers: readonly boolean[];
  /** RoPE base and scale of the windowed layers (the global layers keep the model's). */
  ropeFreqBase: number;
  ropeFreqScale: number;
  /** The global layers apply RoPE too (false for exaone4, whose global layers use no position encoding). */
  ropeOnGlobalLayers: boolean;
}

/** The metadata reader an architecture's hyper-parameter hooks see: typed keys under the `<arch>.` prefix. */
export interface ArchMetadata {
  u32(key: string): number | undefined;
  f32(key: string): number | undefined;
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
  /** The layers' sliding windows as llama.cpp's loader of this architecture reads them; absent: every layer is global. */
  slidingWindow?(meta: ArchMetadata, hp: DecoderShape & { ropeFreqBase: number; ropeFreqScale: number }): SlidingWindow | undefined;
  /** Scale of the attention scores (llama.cpp's f_attention_scale); default 1 / sqrt(D). */
  attentionScale?(hp: DecoderShape): number;
  /** Tensors the loader reads beyond the decoder's (phi3's RoPE factors); all optional. */
  extraTensors?(hp: DecoderShape & { ropeDims?: number }): TensorSpec[];
  /** RoPE may rotate fewer dimensions than the head width (`rope.dimension_count` < D: Phi-4-mini). */
  partialRotary?: boolean;
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
  /** transformers' decoder layer class, which FSDP wraps one per shard unit (export-job); absent where unknown. */
  decoderLayerClass?: string;
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
  /**
   * Checkpoint name prefixes read as another before the module paths are matched, first match first: a multimodal
   * wrapper's text decoder ("language_model.model." -> "model."), as convert_hf_to_gguf.py strips "language_model.".
   */
  prefixAliases?: ReadonlyArray<readonly [from: string, to: string]>;
  /**
   * Checkpoint tensors under these prefixes belong to another model in the same checkpoint (a vision tower and its
   * projector, which llama.cpp loads from a separate mmproj file): left out and listed as skipped, not refused.
   */
  skippedPrefixes?: readonly string[];
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
/** The seven projections of a llama block with separate q, k, v, gate and up weights. */
export const ALL_PROJECTIONS: readonly string[] = LINEAR_TARGETS;

/** A projection's weight: [nIn, nOut] in ggml order (ne[0] is the input width), its bias [nOut]. */
export interface ProjectionShape {
  nIn: number;
  nOut: number;
}

/**
 * The projections (name after "blk.N.") of one block of this architecture with their shapes: q/k/v or the fused
 * attn_qkv [E, (H + 2K) D], attn_output [H D, E], gate/up or the fused ffn_up [E, 2F], ffn_down [F, E]. LoRA's targets,
 * BitFit's bias widths and the tensor list all read this one table.
 */
/** The projection names (after "blk.N.") of this architecture's block, in graph order. */
export function blockProjectionNames(arch: ArchDefinition): readonly string[] {
  const attention = arch.block.fusedQkv ? ["attn_qkv"] : ["attn_q", "attn_k", "attn_v"];
  const ffn = arch.block.fusedGateUp ? ["ffn_up"] : ["ffn_gate", "ffn_up"];
  return [...attention, "attn_output", ...ffn, "ffn_down"];
}

export function blockProjections(arch: ArchDefinition, hp: DecoderShape): Readonly<Record<string, ProjectionShape>> {
  const { nEmbd: E, nFf: F, headDim: D, nHead: H, nHeadKv: K } = hp;
  const out: Record<string, ProjectionShape> = {};
  if (arch.block.fusedQkv) out["attn_qkv"] = { nIn: E, nOut: (H + 2 * K) * D };
  else Object.assign(out, { attn_q: { nIn: E, nOut: H * D }, attn_k: { nIn: E, nOut: K * D }, attn_v: { nIn: E, nOut: K * D } });
  out["attn_output"] = { nIn: H * D, nOut: E };
  if (arch.block.fusedGateUp) out["ffn_up"] = { nIn: E, nOut: 2 * F };
  else Object.assign(out, { ffn_gate: { nIn: E, nOut: F }, ffn_up: { nIn: E, nOut: F } });
  out["ffn_down"] = { nIn: F, nOut: E };
  return out;
}

/** Output width of each projection of a block (the length of its bias). */
export function projectionWidths(arch: ArchDefinition, hp: DecoderShape): Readonly<Record<string, number>> {
  return Object.fromEntries(Object.entries(blockProjections(arch, hp)).map(([name, s]) => [name, s.nOut]));
}

/** The per-layer RMSNorm weights of the block, as its norm layout declares them. */
export function blockNorms(arch: ArchDefinition): readonly string[] {
  const norms = arch.block.norms ?? "pre";
  const pre = norms === "post" ? [] : ["attn_norm", "ffn_norm"];
  const post = norms === "pre" ? [] : ["post_attention_norm", "post_ffw_norm"];
  return [...pre, ...(arch.block.qkNorm ? ["attn_q_norm", "attn_k_norm"] : []), ...post];
}

/** The tensors of a llama-family decoder with this architecture's block (norms, fused projections, biases). */
export function decoderTensorSpecs(arch: ArchDefinition, hp: DecoderShape & { ropeDims?: number }): TensorSpec[] {
  const { nEmbd: E, nVocab: V, headDim: D } = hp;
  const specs: TensorSpec[] = [
    { name: "token_embd.weight", ne: [E, V], role: "embedding" },
    { name: "output_norm.weight", ne: [E], role: "norm" },
    { name: "output.weight", ne: [E, V], optional: true, role: "weight" },
  ];
  const projections = blockProjections(arch, hp);
  const norms = new Set(blockNorms(arch));
  const attention = Object.keys(projections).filter((name) => name.startsWith("attn_"));
  const ffn = Object.keys(projections).filter((name) => name.startsWith("ffn_"));
  for (let il = 0; il < hp.nLayer; il++) {
    const p = `blk.${il}.`;
    const norm = (name: string, width = E) => (norms.has(name) ? [{ name: `${p}${name}.weight`, ne: [width], role: "norm" as const }] : []);
    const weights = (names: string[]) => names.map((name) => ({ name: `${p}${name}.weight`, ne: [projections[name]!.nIn, projections[name]!.nOut], role: "weight" as const }));
    // The order of llama.cpp's loaders (and of the random-model writer's seeded draws): attention, then the FFN.
    specs.push(...norm("attn_norm"), ...weights(attention), ...norm("ffn_norm"), ...weights(ffn));
    for (const projection of arch.block.biases) specs.push({ name: `${p}${projection}.bias`, ne: [projections[projection]!.nOut], role: "bias" });
    // Biases llama.cpp's loader reads when present (a BitFit model merged into its base has them).
    for (const projection of arch.bitfitBiases.filter((b) => !arch.block.biases.includes(b))) {
      specs.push({ name: `${p}${projection}.bias`, ne: [projections[projection]!.nOut], optional: true, role: "bias" });
    }
    specs.push(...norm("attn_q_norm", D), ...norm("attn_k_norm", D), ...norm("post_attention_norm"), ...norm("post_ffw_norm"));
  }
  specs.push(...(arch.extraTensors?.(hp) ?? []));
  return specs;
}
