// EXAONE 3.0 / 3.5 (LG AI Research): the llama block (RMSNorm, SwiGLU, GQA) with NeoX RoPE and its own Hugging Face
// module names (GPT-2 style: transformer.h.N.attn.attention.q_proj, mlp.c_fc_0 / c_fc_1 / c_proj).
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, type ArchDefinition } from "./types.js";

export const exaone: ArchDefinition = {
  name: "exaone",
  families: "EXAONE 3.0/3.5",
  ropeMode: ROPE_MODE.neox,
  block: { biases: [], qkNorm: false },
  defaultLoraTargets: ALL_PROJECTIONS,
  // create_tensor_qkv reads optional q/k/v biases; src/models/exaone.cpp loads no output or FFN biases.
  bitfitBiases: ["attn_q", "attn_k", "attn_v"],
  permutesQk: false,
  hf: {
    architectures: ["ExaoneForCausalLM"],
    layerPrefix: "transformer.h.",
    layerModules: {
      attn_norm: "ln_1",
      attn_q: "attn.attention.q_proj",
      attn_k: "attn.attention.k_proj",
      attn_v: "attn.attention.v_proj",
      attn_output: "attn.attention.out_proj",
      ffn_norm: "ln_2",
      ffn_gate: "mlp.c_fc_0",
      ffn_up: "mlp.c_fc_1",
      ffn_down: "mlp.c_proj",
    },
    globalModules: { token_embd: "transformer.wte", output_norm: "transformer.ln_f", output: "lm_head" },
  },
};
