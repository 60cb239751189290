// Phi-3, Phi-3.5-mini and Phi-4-mini (arch `phi3`): one fused attn_qkv projection (queries, keys, values in that row
// order) and one fused ffn_up holding gate and up (gate rows first, SwiGLU), RMSNorm, NeoX RoPE over `rope.dimension_count`
// dimensions (Phi-4-mini rotates 3/4 of each head), LongRoPE's short and long factors (rope_factors_short/long.weight)
// and `rope.scaling.attn_factor`. llama.cpp disables phi3's sliding window (src/models/phi3.cpp), and so do we.
import { ROPE_MODE } from "./hparams.js";
import { phi3ConfigMetadata, phi3RopeFactors } from "./phi3-longrope.js";
import { LLAMA_LIKE_HF_GLOBALS, type ArchDefinition } from "./types.js";

export const phi3: ArchDefinition = {
  name: "phi3",
  families: "Phi-3, Phi-3.5-mini, Phi-4-mini",
  ropeMode: ROPE_MODE.neox,
  block: { biases: [], qkNorm: false, fusedQkv: true, fusedGateUp: true },
  defaultLoraTargets: ["attn_qkv", "attn_output", "ffn_up", "ffn_down"],
  // create_tensor_qkv reads an optional bias of the fused attn_qkv; phi3.cpp's output bias (wo_b) is never loaded.
  bitfitBiases: ["attn_qkv"],
  permutesQk: false,
  partialRotary: true,
  extraTensors: (hp) => [
    { name: "rope_factors_long.weight", ne: [(hp.ropeDims ?? hp.headDim) / 2], optional: true, role: "rope" },
    { name: "rope_factors_short.weight", ne: [(hp.ropeDims ?? hp.headDim) / 2], optional: true, role: "rope" },
  ],
  hf: {
    architectures: ["Phi3ForCausalLM"],
    decoderLayerClass: "Phi3DecoderLayer",
    layerPrefix: "model.layers.",
    layerModules: {
      attn_norm: "input_layernorm",
      attn_qkv: "self_attn.qkv_proj",
      attn_output: "self_attn.o_proj",
      ffn_norm: "post_attention_layernorm",
      ffn_up: "mlp.gate_up_proj",
      ffn_down: "mlp.down_proj",
    },
    globalModules: LLAMA_LIKE_HF_GLOBALS,
    // LongRoPE (Phi-3-mini-128k, Phi-3.5-mini, Phi-4-mini): its attention factor and original context length, and the
    // short and long factors as the tensors llama.cpp reads (src/arch/phi3-longrope.ts).
    configMetadata: phi3ConfigMetadata,
    configTensors: phi3RopeFactors,
  },
};
