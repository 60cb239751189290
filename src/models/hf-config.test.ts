// config.json -> GGUF metadata for Gemma 3 and Phi-3's LongRoPE: transformers' defaults for a sparse text_config, the
// window period from either spelling, and the refusals where llama.cpp would compute something else.
import { describe, expect, it } from "vitest";
import { gemma3 } from "../arch/gemma3.js";
import { llama } from "../arch/llama.js";
import { phi3 } from "../arch/phi3.js";
import { HfModelError } from "../errors.js";
import { archConfigTensors, hfHparams, textConfig } from "./hf-config.js";

/** google/gemma-3-4b-it's config.json as published (its text_config leaves most numbers to transformers' defaults). */
const GEMMA3_4B = {
  architectures: ["Gemma3ForConditionalGeneration"],
  model_type: "gemma3",
  text_config: { hidden_size: 2560, intermediate_size: 10240, model_type: "gemma3_text", num_hidden_layers: 34, rope_scaling: { factor: 8.0, rope_type: "linear" }, sliding_window: 1024 },
  vision_config: { hidden_size: 1152, model_type: "siglip_vision_model" },
};

/** google/gemma-3-1b-it's text numbers (transformers 4.50). */
const GEMMA3_1B = {
  architectures: ["Gemma3ForCausalLM"],
  hidden_size: 1152,
  intermediate_size: 6912,
  num_hidden_layers: 26,
  num_attention_heads: 4,
  num_key_value_heads: 1,
  head_dim: 256,
  vocab_size: 262144,
  max_position_embeddings: 32768,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  rope_local_base_freq: 10000,
  rope_scaling: null,
  sliding_window: 512,
  sliding_window_pattern: 6,
  query_pre_attn_scalar: 256,
  final_logit_softcapping: null,
  attn_logit_softcapping: null,
};

const meta = (arch: typeof gemma3, config: Record<string, unknown>) => {
  const { metadata } = hfHparams("folder", arch, textConfig(config));
  return (key: string) => metadata.get(`${arch.name}.${key}`)?.value;
};

describe("models import: Gemma 3's config.json", () => {
  it("fills the 4B text_config's gaps with transformers' defaults and keeps linear scaling for the global layers", () => {
    const key = meta(gemma3, GEMMA3_4B);
    expect(key("block_count")).toBe(34);
    expect(key("attention.head_count")).toBe(8);
    expect(key("attention.head_count_kv")).toBe(4);
    expect(key("attention.key_length")).toBe(256);
    expect(key("context_length")).toBe(131072);
    expect(key("vocab_size")).toBe(262208);
    expect(key("rope.freq_base")).toBe(1e6);
    expect(key("rope.freq_base_swa")).toBe(10000);
    expect(key("rope.scaling.type")).toBe("linear");
    expect(key("rope.scaling.factor")).toBe(8);
    expect(key("attention.sliding_window")).toBe(1024);
    expect(key("attention.sliding_window_pattern")).toBe(6);
  });

  it("reads the 1B config's own numbers, and layer_types as the same period", () => {
    const key = meta(gemma3, GEMMA3_1B);
    expect([key("attention.head_count"), key("attention.head_count_kv"), key("context_length"), key("attention.sliding_window")]).toEqual([4, 1, 32768, 512]);
    const layerTypes = Array.from({ length: 26 }, (_, i) => ((i + 1) % 6 ? "sliding_attention" : "full_attention"));
    const { sliding_window_pattern: _, ...rest } = GEMMA3_1B;
    expect(meta(gemma3, { ...rest, layer_types: layerTypes })("attention.sliding_window_pattern")).toBe(6);
    // Every layer windowed is period 0; every layer global writes no window (convert: sliding_window_pattern 1).
    expect(meta(gemma3, { ...rest, layer_types: layerTypes.map(() => "sliding_attention") })("attention.sliding_window_pattern")).toBe(0);
    expect(meta(gemma3, { ...GEMMA3_1B, sliding_window_pattern: 1 })("attention.sliding_window")).toBeUndefined();
  });

  it("writes final_logit_softcapping only when set", () => {
    expect(meta(gemma3, GEMMA3_1B)("final_logit_softcapping")).toBeUndefined();
    expect(meta(gemma3, { ...GEMMA3_1B, final_logit_softcapping: 30 })("final_logit_softcapping")).toBe(30);
  });

  it("refuses what llama.cpp's gemma3 would compute differently, naming the key", () => {
    const refused = (config: Record<string, unknown>, pattern: RegExp) => {
      expect(() => hfHparams("my-folder", gemma3, config)).toThrow(HfModelError);
      expect(() => hfHparams("my-folder", gemma3, config)).toThrow(pattern);
    };
    // llama.cpp scales queries by 1/sqrt(head_dim) below 62 layers.
    refused({ ...GEMMA3_1B, query_pre_attn_scalar: 144 }, /my-folder: config.json: "query_pre_attn_scalar" is 144/);
    refused({ ...GEMMA3_1B, attn_logit_softcapping: 50 }, /attn_logit_softcapping/);
    const { sliding_window_pattern: _, ...rest } = GEMMA3_1B;
    const irregular = Array.from({ length: 26 }, (_, i) => (i === 3 || i === 20 ? "full_attention" : "sliding_attention"));
    refused({ ...rest, layer_types: irregular }, /does not repeat with a period/);
    refused({ ...rest, layer_types: ["sliding_attention"] }, /each of the 26 layers/);
  });

  it("the 27B's query_pre_attn_scalar (hidden_size / num_attention_heads = 168) is the scale llama.cpp derives for 62 layers", () => {
    const config = { ...GEMMA3_1B, num_hidden_layers: 62, hidden_size: 5376, num_attention_heads: 32, num_key_value_heads: 16, head_dim: 128, query_pre_attn_scalar: 168 };
    expect(meta(gemma3, config)("attention.key_length")).toBe(128);
  });
});

describe("models import: Phi-3's LongRoPE", () => {
  const PHI35 = {
    architectures: ["Phi3ForCausalLM"],
    hidden_size: 3072,
    intermediate_size: 8192,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 32,
    vocab_size: 32064,
    max_position_embeddings: 131072,
    original_max_position_embeddings: 4096,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    rope_scaling: { type: "longrope", long_factor: Array(48).fill(1.5), short_factor: Array(48).fill(1.1) },
  };

  it("writes the attention factor as convert_hf_to_gguf.py computes it, the original context and both factor tensors", () => {
    const key = meta(phi3, PHI35);
    expect(key("rope.scaling.type")).toBe("longrope");
    expect(key("rope.scaling.attn_factor")).toBe(Math.fround(Math.sqrt(1 + Math.log(32) / Math.log(4096))));
    expect(key("rope.scaling.original_context_length")).toBe(4096);
    const tensors = archConfigTensors("folder", phi3, PHI35);
    expect(tensors.map((t) => [t.name, t.ne])).toEqual([["rope_factors_long.weight", [48]], ["rope_factors_short.weight", [48]]]);
    expect(tensors[1]!.values[0]).toBe(Math.fround(1.1));
  });

  it("Phi-3-mini-4k (no rope_scaling) gets the original context and no factors", () => {
    const config = { ...PHI35, max_position_embeddings: 4096, rope_scaling: null };
    expect(meta(phi3, config)("rope.scaling.attn_factor")).toBeUndefined();
    expect(meta(phi3, config)("rope.scaling.original_context_length")).toBe(4096);
    expect(archConfigTensors("folder", phi3, config)).toEqual([]);
  });

  it("refuses factor lists of the wrong length, and LongRoPE on an architecture whose loader ignores it", () => {
    const bad = { ...PHI35, rope_scaling: { ...PHI35.rope_scaling, short_factor: [1, 2] } };
    expect(() => archConfigTensors("my-folder", phi3, bad)).toThrow(/my-folder: config.json: LongRoPE's "short_factor" must list 48 positive numbers/);
    expect(() => hfHparams("my-folder", llama, { ...PHI35, architectures: ["LlamaForCausalLM"] })).toThrow(/LongRoPE\) is applied by llama.cpp's phi3 only/);
  });
});
