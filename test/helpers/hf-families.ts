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
  reference: Pick<ReferenceConfig, "qkvBias" | "qkNorm" | "norms">;
  /** What the reference reads from config.json as transformers does (Gemma 3's windows, RoPE bases, query scale). */
  referenceFrom?(config: Record<string, unknown>, shape: HfTestShape): Partial<ReferenceConfig>;
  /** Stored norm weights are drawn around this (1 for llama's x * w; 0 for Gemma's x * (1 + w)). Default 1. */
  normCenter?: number;
  /** config.json keys the tied-embeddings case uses on top of `config`, so both spellings of a setting are imported. */
  tiedConfig?: Record<string, unknown>;
  /** Fused checkpoint tensors (Phi-3): name of q|k|v stacked on rows, and of gate|up stacked on rows, per layer. */
  fused?: { qkv: (layer: number) => string; gateUp: (layer: number) => string };
  /** Role -> tensor name (layer roles get the layer number). */
  name(role: string, layer?: number): string;
  /** Extra config.json keys of this family. */
  config?: Record<string, unknown>;
  /** config.json keys this family spells differently (our name -> theirs). */
  rename?: Record<string, string>;
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

/** EXAONE 3 / 3.5: GPT-2 style module names under transformer.h.N (the remote code's ExaoneForCausalLM). */
const exaoneName = (role: string, layer?: number): string => {
  const globals: Record<string, string> = { embed: "transformer.wte.weight", final_norm: "transformer.ln_f.weight", lm_head: "lm_head.weight" };
  const layers: Record<string, string> = {
    attn_norm: "ln_1.weight",
    q: "attn.attention.q_proj.weight",
    k: "attn.attention.k_proj.weight",
    v: "attn.attention.v_proj.weight",
    o: "attn.attention.out_proj.weight",
    ffn_norm: "ln_2.weight",
    gate: "mlp.c_fc_0.weight",
    up: "mlp.c_fc_1.weight",
    down: "mlp.c_proj.weight",
  };
  return layer === undefined ? globals[role]! : `transformer.h.${layer}.${layers[role]!}`;
};

/** EXAONE 4: llama's names plus post_attention_layernorm / post_feedforward_layernorm after each sub-block. */
const exaone4Name = (role: string, layer?: number): string =>
  role === "post_attn_norm" ? `model.layers.${layer}.post_attention_layernorm.weight`
  : role === "post_ffn_norm" ? `model.layers.${layer}.post_feedforward_layernorm.weight`
  : llamaLikeName(role, layer);

/** Gemma 3: llama's attention names, four norms per layer (input, post_attention, pre_ and post_feedforward). */
const gemma3Name = (role: string, layer?: number): string =>
  role === "ffn_norm" ? `model.layers.${layer}.pre_feedforward_layernorm.weight`
  : role === "post_attn_norm" ? `model.layers.${layer}.post_attention_layernorm.weight`
  : role === "post_ffn_norm" ? `model.layers.${layer}.post_feedforward_layernorm.weight`
  : llamaLikeName(role, layer);

/**
 * Gemma3TextModel's reading of config.json (transformers 4.50-4.57): layer i is "sliding_attention" unless
 * (i + 1) % sliding_window_pattern == 0 (or as `layer_types` lists), windowed layers use rope_local_base_freq with no
 * scaling, global ones rope_theta with rope_scaling; queries scaled by query_pre_attn_scalar^-0.5; embeddings by
 * sqrt(hidden_size) in the model's float type (float32 here, as llama.cpp's sqrtf).
 */
function gemma3Reference(config: Record<string, unknown>, shape: HfTestShape): Partial<ReferenceConfig> {
  const num = (k: string, d: number) => (typeof config[k] === "number" ? (config[k] as number) : d);
  const pattern = num("sliding_window_pattern", 6);
  const types = Array.isArray(config["layer_types"]) ? (config["layer_types"] as string[]) : Array.from({ length: shape.nLayer }, (_, i) => ((i + 1) % pattern ? "sliding_attention" : "full_attention"));
  const scaling = config["rope_scaling"] as { rope_type?: string; factor?: number } | null | undefined;
  const linear = scaling?.rope_type === "linear" ? scaling.factor : undefined;
  const cap = config["final_logit_softcapping"];
  return {
    normPlusOne: true,
    embedScale: Math.fround(Math.sqrt(shape.nEmbd)),
    activation: "gelu_tanh",
    attnScale: num("query_pre_attn_scalar", 256) ** -0.5,
    layer: (l) =>
      types[l] === "sliding_attention"
        ? { window: num("sliding_window", 4096), ropeTheta: num("rope_local_base_freq", 10000) }
        : { ropeTheta: num("rope_theta", 1e6), ...(linear ? { ropeLinearFactor: linear } : {}) },
    ...(typeof cap === "number" ? { finalSoftcap: cap } : {}),
  };
}

/** The families by GGUF architecture name. */
export const HF_FAMILIES: Record<string, HfFamily> = {
  llama: { architecture: "LlamaForCausalLM", reference: { qkvBias: false, qkNorm: false }, name: llamaLikeName, config: { model_type: "llama", hidden_act: "silu" } },
  qwen2: { architecture: "Qwen2ForCausalLM", reference: { qkvBias: true, qkNorm: false }, name: llamaLikeName, config: { model_type: "qwen2", hidden_act: "silu" }, shape: { headDim: 16 } },
  qwen3: { architecture: "Qwen3ForCausalLM", reference: { qkvBias: false, qkNorm: true }, name: llamaLikeName, config: { model_type: "qwen3", hidden_act: "silu", attention_bias: false } },
  // EXAONE 3.5's config.json names the layer count num_layers and the epsilon layer_norm_epsilon.
  exaone: { architecture: "ExaoneForCausalLM", reference: { qkvBias: false, qkNorm: false }, name: exaoneName, config: { model_type: "exaone", activation_function: "silu" }, rename: { num_hidden_layers: "num_layers", rms_norm_eps: "layer_norm_epsilon" } },
  // llama.cpp's exaone4 loader reads attn_output as [E, E]: its heads are E / H wide.
  exaone4: { architecture: "Exaone4ForCausalLM", reference: { qkvBias: false, qkNorm: true, norms: "post" }, name: exaone4Name, config: { model_type: "exaone4", hidden_act: "silu" }, shape: { headDim: 16 } },
  phi3: {
    architecture: "Phi3ForCausalLM",
    reference: { qkvBias: false, qkNorm: false },
    name: llamaLikeName,
    fused: { qkv: (l) => `model.layers.${l}.self_attn.qkv_proj.weight`, gateUp: (l) => `model.layers.${l}.mlp.gate_up_proj.weight` },
    config: { model_type: "phi3", hidden_act: "silu", original_max_position_embeddings: 4096 },
    // Phi-3's heads are E / H wide (its config has no head_dim).
    shape: { headDim: 16 },
  },
  // Gemma 3 1B's layout with a window (4) shorter than the test's 14 tokens, so windowed and global layers differ:
  // layer 0 windowed (RoPE base 10000), layer 1 global (base 1e6, linear scaling 2 as the 4B+ configs have 8).
  // The head width 32 is not E / H = 16: query_pre_attn_scalar follows it, as Gemma 3 (1B-12B) has it.
  gemma3: {
    architecture: "Gemma3ForCausalLM",
    reference: { qkvBias: false, qkNorm: true, norms: "pre-post" },
    referenceFrom: gemma3Reference,
    name: gemma3Name,
    normCenter: 0,
    config: {
      model_type: "gemma3_text",
      hidden_activation: "gelu_pytorch_tanh",
      sliding_window: 4,
      sliding_window_pattern: 2,
      rope_local_base_freq: 10000,
      rope_theta: 1000000,
      rope_scaling: { rope_type: "linear", factor: 2 },
      query_pre_attn_scalar: 32,
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
    },
    // transformers 4.53+ spells the pattern as layer_types; and a final soft-cap the logits reach.
    tiedConfig: { sliding_window_pattern: undefined, layer_types: ["sliding_attention", "full_attention"], final_logit_softcapping: 3 },
  },
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
  const c = family.normCenter ?? 1;
  add("embed", [V, E], 1);
  for (let l = 0; l < s.nLayer; l++) {
    if (family.reference.norms !== "post") add("attn_norm", [E], 0.1, l, c);
    add("q", [H * D, E], 1 / Math.sqrt(E), l);
    add("k", [K * D, E], 1 / Math.sqrt(E), l);
    add("v", [K * D, E], 1 / Math.sqrt(E), l);
    if (family.reference.qkvBias) {
      add("q_bias", [H * D], 0.1, l);
      add("k_bias", [K * D], 0.1, l);
      add("v_bias", [K * D], 0.1, l);
    }
    if (family.reference.qkNorm) {
      add("q_norm", [D], 0.1, l, c);
      add("k_norm", [D], 0.1, l, c);
    }
    add("o", [E, H * D], 1 / Math.sqrt(H * D), l);
    if (family.reference.norms === "post" || family.reference.norms === "pre-post") {
      add("post_attn_norm", [E], 0.1, l, c);
      add("post_ffn_norm", [E], 0.1, l, c);
    }
    if (family.reference.norms !== "post") add("ffn_norm", [E], 0.1, l, c);
    add("gate", [F, E], 1 / Math.sqrt(E), l);
    add("up", [F, E], 1 / Math.sqrt(E), l);
    add("down", [E, F], 1 / Math.sqrt(F), l);
  }
  add("final_norm", [E], 0.1, undefined, c);
  if (!s.tied) add("lm_head", [V, E], 1 / Math.sqrt(E));
  // Fused layouts stack the separate matrices on rows (q, k, v; gate, up), as Phi-3's qkv_proj and gate_up_proj do.
  const written: HfTensor[] = [...tensors];
  if (family.fused) {
    const stack = (name: string, roles: string[], l: number) => {
      const parts = roles.map((r) => tensors.find((t) => t.name === family.name(r, l))!);
      for (const p of parts) written.splice(written.indexOf(p), 1);
      const values = new Float32Array(parts.reduce((n, p) => n + p.values.length, 0));
      let at = 0;
      for (const p of parts) (values.set(p.values, at), (at += p.values.length));
      written.push({ name, shape: [parts.reduce((n, p) => n + p.shape[0]!, 0), parts[0]!.shape[1]!], values, dtype });
    };
    for (let l = 0; l < s.nLayer; l++) {
      stack(family.fused.qkv(l), ["q", "k", "v"], l);
      stack(family.fused.gateUp(l), ["gate", "up"], l);
    }
  }
  const baseConfig: Record<string, unknown> = {
    architectures: [family.architecture],
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
    // The family's own keys win (Gemma 3's rope_theta); an undefined one is left out.
    ...family.config,
    ...(s.tied ? family.tiedConfig : {}),
  };
  const config = Object.fromEntries(Object.entries(baseConfig).filter(([, v]) => v !== undefined).map(([k, v]) => [family.rename?.[k] ?? k, v]));
  const byName = new Map(tensors.map((t) => [t.name, t]));
  // The reference reads the values the file holds (BF16-rounded when stored as BF16).
  const lookup: WeightLookup = (role, layer) => {
    const t = byName.get(family.name(role, layer))!;
    return t.dtype === "BF16" ? roundToBf16(t.values) : t.values;
  };
  return { tensors: written, config, lookup };
}
