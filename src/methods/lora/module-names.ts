// Names of adapted projections in the two conventions: GGUF ("blk.3.attn_q") and Hugging Face transformers modules as
// PEFT saves them ("base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight"), for the llama-family decoders
// localtune runs (llama, qwen2, qwen3 share these module names in transformers).

/** GGUF projection -> transformers module path inside a decoder layer. */
export const HF_MODULES: Readonly<Record<string, string>> = {
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
};

const GGUF_BY_HF = new Map(Object.entries(HF_MODULES).map(([gguf, hf]) => [hf, gguf]));

/** The prefix PEFT gives every key of a causal LM: PeftModel.base_model (LoraModel).model (XForCausalLM).model. */
export const PEFT_KEY_PREFIX = "base_model.model.model.layers.";

/** A projection of one layer, in GGUF terms. */
export interface ProjectionRef {
  layer: number;
  /** "attn_q", "ffn_down", ... */
  projection: string;
}

/** "blk.3.attn_q" of a projection. */
export const ggufProjectionName = (p: ProjectionRef) => `blk.${p.layer}.${p.projection}`;

/** Parses "blk.3.attn_q" (a LoRA pair's base name without ".weight"); undefined for anything else. */
export function parseGgufProjection(name: string): ProjectionRef | undefined {
  const m = /^blk\.(\d+)\.([a-z_]+)$/.exec(name);
  if (!m || !Object.hasOwn(HF_MODULES, m[2]!)) return undefined;
  return { layer: Number(m[1]), projection: m[2]! };
}

/** Module name as transformers and PEFT's patterns see it: "model.layers.3.self_attn.q_proj". */
export const hfModuleName = (p: ProjectionRef) => `model.layers.${p.layer}.${HF_MODULES[p.projection]}`;

/** The safetensors key PEFT writes for LoRA factor A or B of a projection. */
export const peftKey = (p: ProjectionRef, factor: "A" | "B") => `${PEFT_KEY_PREFIX}${p.layer}.${HF_MODULES[p.projection]}.lora_${factor}.weight`;

/** The short module name PEFT lists in target_modules ("q_proj"). */
export const hfShortName = (projection: string) => HF_MODULES[projection]!.split(".")[1]!;

/**
 * Parses a PEFT key into its projection and factor. Accepts the saved form and the in-memory form that still carries
 * the adapter name ("lora_A.default.weight"), with or without the PeftModel prefix.
 */
export function parsePeftKey(key: string): (ProjectionRef & { factor: "A" | "B" }) | undefined {
  const m = /^(?:base_model\.model\.)?(?:model\.)?layers\.(\d+)\.(self_attn\.[a-z_]+|mlp\.[a-z_]+)\.lora_(A|B)(?:\.[\w-]+)?\.weight$/.exec(key);
  if (!m) return undefined;
  const projection = GGUF_BY_HF.get(m[2]!);
  if (!projection) return undefined;
  return { layer: Number(m[1]), projection, factor: m[3] as "A" | "B" };
}
