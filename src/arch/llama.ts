// LLaMA (Llama 2/3, SmolLM, TinyLlama, Mistral and stories260K): RMSNorm, RoPE (normal layout), GQA, SwiGLU.
import { ROPE_MODE } from "./hparams.js";
import { llama3RopeFactors } from "./llama3-rope.js";
import { ALL_PROJECTIONS, LLAMA_LIKE_HF_GLOBALS, LLAMA_LIKE_HF_MODULES, type ArchDefinition } from "./types.js";

export const llama: ArchDefinition = {
  name: "llama",
  families: "Llama 2/3, SmolLM, TinyLlama, Mistral",
  ropeMode: ROPE_MODE.normal,
  block: { biases: [], qkNorm: false },
  defaultLoraTargets: ALL_PROJECTIONS,
  // llama.cpp (node-llama-cpp 3.21.1's bundle): create_tensor_qkv in src/llama-model.cpp reads optional q/k/v biases,
  // and src/models/llama.cpp optional attn_output and ffn_gate/ffn_up/ffn_down biases.
  bitfitBiases: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
  // convert_hf_to_gguf.py's LlamaModel reorders q_proj and k_proj rows from HF's rotate_half to adjacent pairs.
  permutesQk: true,
  hf: {
    architectures: ["LlamaForCausalLM", "MistralForCausalLM"],
    decoderLayerClass: "LlamaDecoderLayer",
    layerPrefix: "model.layers.",
    layerModules: LLAMA_LIKE_HF_MODULES,
    globalModules: LLAMA_LIKE_HF_GLOBALS,
    // Llama 3.1 / 3.2 configs with rope_type "llama3" get the per-dimension RoPE factors llama.cpp reads.
    configTensors: llama3RopeFactors,
  },
};
