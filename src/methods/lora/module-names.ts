// Names of adapted projections in the two conventions: GGUF ("blk.3.attn_q") and Hugging Face transformers modules as
// PEFT saves them ("base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight"). The module paths are the
// architecture's own (ArchDefinition.hf in src/arch/<name>.ts): EXAONE 3.5's "transformer.h.3.attn.attention.q_proj",
// Phi-3's fused "model.layers.3.self_attn.qkv_proj".
import { ARCHITECTURES } from "../../arch/registry.js";
import { blockProjectionNames, type ArchDefinition } from "../../arch/types.js";

/** A projection of one layer, in GGUF terms. */
export interface ProjectionRef {
  layer: number;
  /** "attn_q", "attn_qkv", "ffn_down", ... */
  projection: string;
}

/** The prefix PEFT gives every key of a causal LM: PeftModel.base_model (LoraModel).model (XForCausalLM). */
const PEFT_MODEL_PREFIX = "base_model.model.";

/** GGUF projection -> module path inside a decoder layer, for the projections LoRA can adapt on this architecture. */
export function loraModules(arch: ArchDefinition): Readonly<Record<string, string>> {
  return Object.fromEntries(blockProjectionNames(arch).flatMap((p) => (arch.hf.layerModules[p] ? [[p, arch.hf.layerModules[p]!]] : [])));
}

/** "blk.3.attn_q" of a projection. */
export const ggufProjectionName = (p: ProjectionRef) => `blk.${p.layer}.${p.projection}`;

const PROJECTION = /^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_qkv|attn_output|ffn_gate|ffn_up|ffn_down)$/;

/** Parses "blk.3.attn_q" (a LoRA pair's base name without ".weight"); undefined for anything that is not a projection. */
export function parseGgufProjection(name: string): ProjectionRef | undefined {
  const m = PROJECTION.exec(name);
  return m ? { layer: Number(m[1]), projection: m[2]! } : undefined;
}

/** Module name as transformers and PEFT's patterns see it: "model.layers.3.self_attn.q_proj". */
export function hfModuleName(arch: ArchDefinition, p: ProjectionRef): string {
  const module = loraModules(arch)[p.projection];
  if (module === undefined) throw new Error(`${arch.name} has no Hugging Face module for ${p.projection} (this is a bug)`);
  return `${arch.hf.layerPrefix}${p.layer}.${module}`;
}

/** The safetensors key PEFT writes for LoRA factor A or B of a projection. */
export const peftKey = (arch: ArchDefinition, p: ProjectionRef, factor: "A" | "B") => `${PEFT_MODEL_PREFIX}${hfModuleName(arch, p)}.lora_${factor}.weight`;

/** The short module name PEFT lists in target_modules ("q_proj", "qkv_proj", "c_fc_0"). */
export function hfShortName(arch: ArchDefinition, projection: string): string {
  return hfModuleName(arch, { layer: 0, projection }).split(".").at(-1)!;
}

/**
 * Parses a PEFT key into its projection and factor. Accepts the saved form and the in-memory form that still carries
 * the adapter name ("lora_A.default.weight"), with or without the PeftModel prefix.
 */
export function parsePeftKey(arch: ArchDefinition, key: string): (ProjectionRef & { factor: "A" | "B" }) | undefined {
  const m = /^(.*?)(\d+)\.([\w.]+?)\.lora_(A|B)(?:\.[\w-]+)?\.weight$/.exec(key.startsWith(PEFT_MODEL_PREFIX) ? key.slice(PEFT_MODEL_PREFIX.length) : key);
  if (!m) return undefined;
  // The layer path with or without the causal LM's inner "model." (PeftModel's own keys keep it, merged ones may not).
  const prefix = arch.hf.layerPrefix;
  if (m[1] !== prefix && !(prefix.startsWith("model.") && m[1] === prefix.slice("model.".length))) return undefined;
  const projection = Object.entries(loraModules(arch)).find(([, module]) => module === m[3])?.[0];
  if (!projection) return undefined;
  return { layer: Number(m[2]), projection, factor: m[4] as "A" | "B" };
}

/** parsePeftKey over every registered architecture: the first that names the key, for files read without a base. */
export function parsePeftKeyAnyArchitecture(key: string): (ProjectionRef & { factor: "A" | "B"; arch: ArchDefinition }) | undefined {
  for (const arch of ARCHITECTURES) {
    const parsed = parsePeftKey(arch, key);
    if (parsed) return { ...parsed, arch };
  }
  return undefined;
}
