// EXAONE 4.0 (1.2B, 32B): no norm before attention or the FFN but one after each (before the residual add), per-head
// q/k RMSNorm, SwiGLU, NeoX RoPE. As llama.cpp reads it (src/models/exaone4.cpp): sliding windows only for the
// 64-layer model (window `attention.sliding_window`, else 4096; period 4 unless `attention.sliding_window_pattern`
// holds a number), and then the global layers apply no RoPE at all.
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, LLAMA_LIKE_HF_GLOBALS, type ArchDefinition } from "./types.js";

export const exaone4: ArchDefinition = {
  name: "exaone4",
  families: "EXAONE 4.0",
  ropeMode: ROPE_MODE.neox,
  block: { biases: [], qkNorm: true, norms: "post" },
  defaultLoraTargets: ALL_PROJECTIONS,
  // create_tensor_qkv reads optional q/k/v biases; exaone4.cpp passes NULL for the output and FFN biases.
  bitfitBiases: ["attn_q", "attn_k", "attn_v"],
  permutesQk: false,
  slidingWindow(meta, hp) {
    if (hp.nLayer !== 64) return undefined;
    const period = meta.u32("attention.sliding_window_pattern") ?? 4;
    return {
      width: meta.u32("attention.sliding_window") ?? 4096,
      layers: Array.from({ length: hp.nLayer }, (_, il) => period === 0 || il % period < period - 1),
      ropeFreqBase: meta.f32("rope.freq_base_swa") ?? hp.ropeFreqBase,
      ropeFreqScale: hp.ropeFreqScale,
      ropeOnGlobalLayers: false,
    };
  },
  hf: {
    architectures: ["Exaone4ForCausalLM"],
    decoderLayerClass: "Exaone4DecoderLayer",
    layerPrefix: "model.layers.",
    // EXAONE 4's post_attention_layernorm and post_feedforward_layernorm normalise the outputs (post-norms).
    layerModules: {
      attn_q: "self_attn.q_proj",
      attn_k: "self_attn.k_proj",
      attn_v: "self_attn.v_proj",
      attn_output: "self_attn.o_proj",
      attn_q_norm: "self_attn.q_norm",
      attn_k_norm: "self_attn.k_norm",
      post_attention_norm: "post_attention_layernorm",
      ffn_gate: "mlp.gate_proj",
      ffn_up: "mlp.up_proj",
      ffn_down: "mlp.down_proj",
      post_ffw_norm: "post_feedforward_layernorm",
    },
    globalModules: LLAMA_LIKE_HF_GLOBALS,
  },
};
