// Qwen3 (dense): no q/k/v biases, per-head RMSNorm on queries and keys before RoPE (NeoX layout), head width from
// `attention.key_length` (128 in every released size, not n_embd / n_head).
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, LLAMA_LIKE_HF_GLOBALS, LLAMA_LIKE_HF_MODULES, type ArchDefinition } from "./types.js";

export const qwen3: ArchDefinition = {
  name: "qwen3",
  families: "Qwen3 (dense)",
  ropeMode: ROPE_MODE.neox,
  block: { biases: [], qkNorm: true },
  defaultLoraTargets: ALL_PROJECTIONS,
  // llama.cpp's create_tensor_qkv reads optional q/k/v biases; src/models/qwen3.cpp has no attn_output bias and
  // passes NULL biases to build_ffn.
  bitfitBiases: ["attn_q", "attn_k", "attn_v"],
  // NeoX RoPE rotates halves like HF: convert_hf_to_gguf.py keeps the rows as they are.
  permutesQk: false,
  hf: { architectures: ["Qwen3ForCausalLM"], decoderLayerClass: "Qwen3DecoderLayer", layerPrefix: "model.layers.", layerModules: { ...LLAMA_LIKE_HF_MODULES, attn_q_norm: "self_attn.q_norm", attn_k_norm: "self_attn.k_norm" }, globalModules: LLAMA_LIKE_HF_GLOBALS },
};
