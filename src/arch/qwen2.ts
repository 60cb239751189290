// Qwen2 / Qwen2.5: the llama block with biases on the q, k and v projections and the NeoX RoPE layout.
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, LLAMA_LIKE_HF_GLOBALS, LLAMA_LIKE_HF_MODULES, type ArchDefinition } from "./types.js";

export const qwen2: ArchDefinition = {
  name: "qwen2",
  families: "Qwen2, Qwen2.5",
  ropeMode: ROPE_MODE.neox,
  block: { biases: ["attn_q", "attn_k", "attn_v"], qkNorm: false },
  defaultLoraTargets: ALL_PROJECTIONS,
  // llama.cpp's create_tensor_qkv reads the q/k/v biases; src/models/qwen2.cpp has no attn_output bias and passes
  // NULL biases to build_ffn.
  bitfitBiases: ["attn_q", "attn_k", "attn_v"],
  // NeoX RoPE rotates halves like HF: convert_hf_to_gguf.py keeps the rows as they are.
  permutesQk: false,
  hf: { architectures: ["Qwen2ForCausalLM"], decoderLayerClass: "Qwen2DecoderLayer", layerPrefix: "model.layers.", layerModules: LLAMA_LIKE_HF_MODULES, globalModules: LLAMA_LIKE_HF_GLOBALS },
};
