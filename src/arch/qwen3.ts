// Qwen3 (dense): no q/k/v biases, per-head RMSNorm on queries and keys before RoPE (NeoX layout), head width from
// `attention.key_length` (128 in every released size, not n_embd / n_head).
import { ROPE_MODE } from "./hparams.js";
import { ALL_PROJECTIONS, type ArchDefinition } from "./types.js";

export const qwen3: ArchDefinition = {
  name: "qwen3",
  families: "Qwen3 (dense)",
  ropeMode: ROPE_MODE.neox,
  qkvBias: false,
  qkNorm: true,
  defaultLoraTargets: ALL_PROJECTIONS,
};
