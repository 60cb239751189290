// Random-weight Hugging Face checkpoints of each architecture, in the layout transformers saves them: config.json
// keys and tensor names as the published models have them (written here from the model cards' config.json files and
// transformers' modelling code, not from localtune's architecture declarations), with the reference forward's view.
import { roundToBf16, type HfTensor } from "./hf-folder.js";
import type { ReferenceConfig, WeightLookup } from "./hf-reference-forward.js";

/** How one architecture's checkpoints look. */
export interface HfFamily {
  /** config.json "architectures". */
  architecture: string;
  /** The reference forward's switches. */
  reference: Pick<ReferenceConfig, "qkvBias" | "qkNorm">;
  /** Role -> tensor name (layer roles get the layer number). */
  name(role: string, layer?: number): string;
  /** Extra config.json keys of this family. */
  config?: Record<string, unknown>;
  /** Sizes this family constrains (Qwen2's heads are always E / H wide: llama.cpp's qwen2 loader assumes it). */
  shape?: Partial<HfTestShape>;
}

const llamaLikeName = (role: string, layer?: number): string => {
  const globals: Record<string, string> = { embed: "model.embed_tokens.weight", final_norm: "model.norm.weight", lm_head: "lm_head.weight" };
  const layers: Record<string, string> = {
    attn_norm: "input_layernorm.weight",
    q: "self_attn.q_proj.weight",
    k: "self_attn.k_proj.weight",
    v: "self_attn.v_proj.weight",
    q_bias: "self_attn.q_proj.bias",
    k_bias: "self_attn.k_proj.bias",
    v_bias: "self_attn.v_proj.bias",
    q_norm: "self_attn.q_norm.weight",
    k_norm: "self_attn.k_norm.weight",
    o: "self_attn.o_proj.weight",
    ffn_norm: "post_attention_layernorm.weight",
    gate: "mlp.gate_proj.weight",
    up: "mlp.up_proj.weight",
    down: "mlp.down_proj.weight",
  };
  return layer === undefined ? globals[role]! : `model.layers.${layer}.${layers[role]!}`;
};

/** The families by GGUF architecture name. */
export const HF_FAMILIES: Record<string, HfFamily> = {
  llama: { architecture: "LlamaForCausalLM", reference: { qkvBias: false, qkNorm: false }, name: llamaLikeName, config: { model_type: "llama", hidden_act: "silu" } },
  qwen2: { architecture: "Qwen2ForCausalLM", reference: { qkvBias: true, qkNorm: false }, name: llamaLikeName, config: { model_type: "qwen2", hidden_act: "silu" }, shape: { headDim: 16 } },
  qwen3: { architecture: "Qwen3ForCausalLM", reference: { qkvBias: false, qkNorm: true }, name: llamaLikeName, config: { model_type: "qwen3", hidden_act: "silu", attention_bias: false } },
};

/** A seeded normal generator (mulberry32 + Box-Muller), independent of the engine's. */
export function normalSampler(seed: number): (n: number, std: number) => Float32Array {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n, std) => Float32Array.from({ length: n }, () => std * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
}

/** The sizes of a test checkpoint. */
export interface HfTestShape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  nVocab: number;
  tied: boolean;
}

/** Random tensors of a family's checkpoint (norms near 1, weights scaled by 1/sqrt(fan-in)) and its config.json. */
export function randomCheckpoint(family: HfFamily, s: HfTestShape, seed: number, dtype: "F32" | "BF16" = "F32") {
  const normal = normalSampler(seed);
  const tensors: HfTensor[] = [];
  const add = (role: string, shape: number[], std: number, layer?: number, offset = 0) => {
    const values = normal(shape.reduce((a, b) => a * b, 1), std).map((v) => v + offset);
    tensors.push({ name: family.name(role, layer), shape, values, dtype });
  };
  const { nEmbd: E, nHead: H, nHeadKv: K, headDim: D, nFf: F, nVocab: V } = s;
  add("embed", [V, E], 1);
  for (let l = 0; l < s.nLayer; l++) {
    add("attn_norm", [E], 0.1, l, 1);
    add("q", [H * D, E], 1 / Math.sqrt(E), l);
    add("k", [K * D, E], 1 / Math.sqrt(E), l);
    add("v", [K * D, E], 1 / Math.sqrt(E), l);
    if (family.reference.qkvBias) {
      add("q_bias", [H * D], 0.1, l);
      add("k_bias", [K * D], 0.1, l);
      add("v_bias", [K * D], 0.1, l);
    }
    if (family.reference.qkNorm) {
      add("q_norm", [D], 0.1, l, 1);
      add("k_norm", [D], 0.1, l, 1);
    }
    add("o", [E, H * D], 1 / Math.sqrt(H * D), l);
    add("ffn_norm", [E], 0.1, l, 1);
    add("gate", [F, E], 1 / Math.sqrt(E), l);
    add("up", [F, E], 1 / Math.sqrt(E), l);
    add("down", [E, F], 1 / Math.sqrt(F), l);
  }
  add("final_norm", [E], 0.1, undefined, 1);
  if (!s.tied) add("lm_head", [V, E], 1 / Math.sqrt(E));
  const config = {
    architectures: [family.architecture],
    ...family.config,
    hidden_size: E,
    intermediate_size: F,
    num_hidden_layers: s.nLayer,
    num_attention_heads: H,
    num_key_value_heads: K,
    head_dim: D,
    vocab_size: V,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: s.tied,
    torch_dtype: dtype === "BF16" ? "bfloat16" : "float32",
  };
  const byName = new Map(tensors.map((t) => [t.name, t]));
  // The reference reads the values the file holds (BF16-rounded when stored as BF16).
  const lookup: WeightLookup = (role, layer) => {
    const t = byName.get(family.name(role, layer))!;
    return t.dtype === "BF16" ? roundToBf16(t.values) : t.values;
  };
  return { tensors, config, lookup };
}
