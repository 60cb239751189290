// Which ggml type each tensor of an exported model gets for --quant q4_k_m|q5_k_m|q8_0|f16: llama.cpp's own mixture
// (src/llama-quant.cpp, llama_tensor_get_type for a dense, non-Falcon model), so our file has the tensor types
// `llama-quantize` would give it, and the same fallbacks where a row length does not fit a block.
import { GgmlType, ggmlTypeInfo, ggmlTypeName, type GgufTensorInfo } from "../formats/gguf/index.js";

/** The presets `localtune export --quant` accepts, with their llama_ftype (general.file_type) and base type. */
export const EXPORT_QUANTS = {
  q4_k_m: { fileType: 15, base: GgmlType.Q4_K },
  q5_k_m: { fileType: 17, base: GgmlType.Q5_K },
  q8_0: { fileType: 7, base: GgmlType.Q8_0 },
  f16: { fileType: 1, base: GgmlType.F16 },
} as const;
export type ExportQuant = keyof typeof EXPORT_QUANTS;

/** A tensor stored in another type than the preset's rule asked for, because its rows do not fit the type's blocks. */
export interface QuantFallback {
  tensor: string;
  wanted: string;
  written: string;
  reason: string;
}

export interface QuantPlan {
  /** Tensor name -> type to store; tensors absent here are copied as they are (1-D tensors, norms). */
  types: Map<string, GgmlType>;
  fallbacks: QuantFallback[];
}

/** llama.cpp's use_more_bits: the first and last eighth of the layers and every third one between get more bits. */
export function usesMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/** tensor_allows_quantization: 2-D+ tensors named *weight, no norms, no MoE router. */
function quantizable(info: GgufTensorInfo): boolean {
  if (info.ne.length < 2 || info.ne.slice(1).every((n) => n === 1)) return false;
  return info.name.endsWith("weight") && !info.name.includes("_norm.weight") && !info.name.includes("ffn_gate_inp.weight");
}

/** llama.cpp's tensor_type_fallback: a 256-block K-quant falls back to a 32-block type, then to F16. */
function fallbackType(type: GgmlType, rowLength: number): GgmlType {
  if (rowLength % ggmlTypeInfo(type).blockSize === 0) return type;
  const smaller: Partial<Record<GgmlType, GgmlType>> = { [GgmlType.Q4_K]: GgmlType.Q5_0, [GgmlType.Q5_K]: GgmlType.Q5_1, [GgmlType.Q6_K]: GgmlType.Q8_0 };
  const next = smaller[type] ?? type;
  return rowLength % ggmlTypeInfo(next).blockSize === 0 ? next : GgmlType.F16;
}

/** The type of every quantizable tensor, in file order (layer counters advance as llama.cpp's do). */
export function planQuantization(tensors: readonly GgufTensorInfo[], quant: ExportQuant): QuantPlan {
  const preset = EXPORT_QUANTS[quant];
  const types = new Map<string, GgmlType>();
  const fallbacks: QuantFallback[] = [];
  const tiedEmbeddings = !tensors.some((t) => t.name === "output.weight");
  const count = (suffix: string) => tensors.filter((t) => t.name.endsWith(suffix)).length;
  const nAttnV = count("attn_v.weight");
  const nFfnDown = count("ffn_down.weight");
  let iAttnV = 0;
  let iFfnDown = 0;
  const kMix = quant === "q4_k_m" || quant === "q5_k_m";
  for (const info of tensors) {
    if (!quantizable(info)) continue;
    let type: GgmlType = preset.base;
    if (ggmlTypeInfo(preset.base).quantized) {
      const rowLength = info.ne[0]!;
      // The output matrix (or the token embeddings that double as it) keeps more bits: Q6_K, or Q8_0 where a row
      // is no multiple of the base type's block.
      if (info.name === "output.weight" || (tiedEmbeddings && info.name === "token_embd.weight")) {
        if (rowLength % ggmlTypeInfo(type).blockSize !== 0) type = GgmlType.Q8_0;
        else if (type !== GgmlType.Q8_0) type = GgmlType.Q6_K;
      } else if (info.name.endsWith("attn_v.weight")) {
        if (kMix && usesMoreBits(iAttnV, nAttnV)) type = GgmlType.Q6_K;
        iAttnV++;
      } else if (info.name.endsWith("ffn_down.weight")) {
        if (kMix && usesMoreBits(iFfnDown, nFfnDown)) type = GgmlType.Q6_K;
        iFfnDown++;
      } else if (info.name.endsWith("attn_qkv.weight")) {
        if (quant === "q4_k_m") type = GgmlType.Q5_K;
        else if (quant === "q5_k_m") type = GgmlType.Q6_K;
      }
      const fitted = fallbackType(type, rowLength);
      if (fitted !== type) {
        fallbacks.push({
          tensor: info.name,
          wanted: ggmlTypeName(type),
          written: ggmlTypeName(fitted),
          reason: `rows of ${rowLength} values are not a multiple of the ${ggmlTypeName(type)} block size ${ggmlTypeInfo(type).blockSize}`,
        });
      }
      type = fitted;
    }
    types.set(info.name, type);
  }
  return { types, fallbacks };
}
