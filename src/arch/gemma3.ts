// Gemma 3 (1B, and the text decoder of 4B/12B/27B): embeddings times sqrt(E), RMSNorm before and after both attention
// and FFN, per-head q/k RMSNorm, GELU-tanh gated FFN (GeGLU), NeoX RoPE, tied embeddings, and sliding-window layers
// (5 of every 6) with their own RoPE base. As llama.cpp reads it (src/models/gemma3.cpp in node-llama-cpp 3.21.1's
// bundle): the window only when `attention.sliding_window` > 0, period `attention.sliding_window_pattern` (default 6,
// every period-th layer global), windowed layers' base `rope.freq_base_swa` (default 10000) with no scaling.
import { gemma3ConfigMetadata } from "./gemma3-hf.js";
import { ROPE_MODE } from "./hparams.js";
import { LLAMA_LIKE_HF_GLOBALS, LLAMA_LIKE_HF_MODULES, type ArchDefinition } from "./types.js";

export const gemma3: ArchDefinition = {
  name: "gemma3",
  families: "Gemma 3",
  ropeMode: ROPE_MODE.neox,
  block: { biases: [], qkNorm: true, norms: "pre-post", ffnActivation: "gelu", scaleEmbeddings: true },
  defaultLoraTargets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
  // create_tensor_qkv reads optional q/k/v biases; gemma3.cpp passes NULL for the output and FFN biases.
  bitfitBiases: ["attn_q", "attn_k", "attn_v"],
  permutesQk: false,
  slidingWindow(meta, hp) {
    const width = meta.u32("attention.sliding_window") ?? 0;
    if (width === 0) return undefined;
    const period = meta.u32("attention.sliding_window_pattern") ?? 6;
    return {
      width,
      // llama_hparams::set_swa_pattern: layer il is windowed unless il % period == period - 1 (period 0: all).
      layers: Array.from({ length: hp.nLayer }, (_, il) => period === 0 || il % period < period - 1),
      ropeFreqBase: meta.f32("rope.freq_base_swa") ?? 10000,
      ropeFreqScale: 1,
      ropeOnGlobalLayers: true,
    };
  },
  // gemma_pytorch's query_pre_attn_scalar: E / H for the 27B (62 layers), the head width elsewhere.
  attentionScale: (hp) => 1 / Math.sqrt(hp.nLayer === 62 ? Math.floor(hp.nEmbd / hp.nHead) : hp.headDim),
  hf: {
    // Gemma3ForConditionalGeneration (4B, 12B, 27B): its text decoder, config.json's text_config; the vision tower is
    // llama.cpp's separate mmproj file, not this one.
    architectures: ["Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"],
    decoderLayerClass: "Gemma3DecoderLayer",
    layerPrefix: "model.layers.",
    // Gemma's post_attention_layernorm normalises the attention output (a post-norm), unlike llama's.
    layerModules: {
      ...LLAMA_LIKE_HF_MODULES,
      ffn_norm: "pre_feedforward_layernorm",
      post_attention_norm: "post_attention_layernorm",
      post_ffw_norm: "post_feedforward_layernorm",
      attn_q_norm: "self_attn.q_norm",
      attn_k_norm: "self_attn.k_norm",
    },
    globalModules: LLAMA_LIKE_HF_GLOBALS,
    // Gemma3RMSNorm computes x * (1 + w) and the checkpoint stores w; llama.cpp multiplies by the stored weight.
    normWeightOffset: 1,
    // Windows, RoPE bases, soft-capping and transformers' defaults (src/arch/gemma3-hf.ts); the query scale is checked
    // against the one llama.cpp derives (attentionScale above).
    configMetadata: (config) => gemma3ConfigMetadata(config, (hp) => gemma3.attentionScale!(hp)),
    // The multimodal checkpoint's decoder: language_model.model.* (transformers < 4.52) or model.language_model.*.
    prefixAliases: [
      ["language_model.model.", "model."],
      ["model.language_model.", "model."],
      ["language_model.lm_head.", "lm_head."],
    ],
    skippedPrefixes: ["vision_tower.", "multi_modal_projector.", "model.vision_tower.", "model.multi_modal_projector."],
  },
};
