// LLaMA (Llama 2/3, SmolLM, TinyLlama, Mistral and stories260K): RMSNorm, RoPE (normal layout), GQA, SwiGLU.
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, type ArchDefinition } from "./types.js";

export const llama: ArchDefinition = {
  name: "llama",
  families: "Llama 2/3, SmolLM, TinyLlama, Mistral",
  ropeMode: ROPE_MODE.normal,
  qkvBias: false,
  qkNorm: false,
  defaultLoraTargets: ALL_PROJECTIONS,
};
