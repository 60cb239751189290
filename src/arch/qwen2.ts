// Qwen2 / Qwen2.5: the llama block with biases on the q, k and v projections and the NeoX RoPE layout.
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, type ArchDefinition } from "./types.js";

export const qwen2: ArchDefinition = {
  name: "qwen2",
  families: "Qwen2, Qwen2.5",
  ropeMode: ROPE_MODE.neox,
  qkvBias: true,
  qkNorm: false,
  defaultLoraTargets: ALL_PROJECTIONS,
};
