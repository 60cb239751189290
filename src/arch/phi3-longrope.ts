// Phi-3's LongRoPE ("rope_type": "longrope", or "su" in the first 128k configs) from config.json, as llama.cpp reads
// it: the per-dimension divisors of the RoPE frequencies as two tensors, rope_factors_short.weight (contexts within
// the original one) and rope_factors_long.weight (beyond it), the original context length that picks between them
// (rope.scaling.original_context_length) and the magnitude factor on cos and sin (rope.scaling.attn_factor), which
// convert_hf_to_gguf.py's Phi3MiniModel computes as sqrt(1 + ln(s) / ln(original)) for s = context / original > 1.
import { InvalidConfigError } from "../errors.js";
import { gguf, type GgufValue } from "../formats/gguf/values.js";
import { hfNumber, hfRopeParameters, type HfConfig, type HfConfigTensor } from "./hf-config.js";

const refuse = (en: string, ko: string): never => {
  throw new InvalidConfigError({ en: `config.json: ${en}`, ko: `config.json: ${ko}` });
};

function isLongRope(config: HfConfig): boolean {
  const type = hfRopeParameters(config).full["rope_type"];
  return typeof type === "string" && ["longrope", "su"].includes(type.toLowerCase());
}

/** original_max_position_embeddings: at the top level (Phi-3) or inside the RoPE parameters (transformers 5). */
function originalContext(config: HfConfig): number | undefined {
  const inRope = hfRopeParameters(config).full["original_max_position_embeddings"];
  return hfNumber(config, "original_max_position_embeddings") ?? (typeof inRope === "number" ? inRope : undefined);
}

/** The rotated dimensions, as convert computes them: int(partial_rotary_factor * hidden_size) // num_attention_heads. */
function ropeDims(config: HfConfig): number {
  const nEmbd = hfNumber(config, "hidden_size") ?? 0;
  const nHead = hfNumber(config, "num_attention_heads") ?? 1;
  const partial = hfNumber(config, "partial_rotary_factor") ?? 1;
  return Math.floor(Math.floor(partial * nEmbd) / nHead);
}

/** rope.scaling.original_context_length always (it picks short or long factors), attn_factor for LongRoPE. */
export function phi3ConfigMetadata(config: HfConfig): Record<string, GgufValue> {
  const out: Record<string, GgufValue> = {};
  const original = originalContext(config);
  if (original !== undefined) {
    if (!Number.isSafeInteger(original) || original < 1) refuse(`"original_max_position_embeddings" is ${original}, expected a positive integer`, `"original_max_position_embeddings" 값이 ${original}입니다. 양의 정수여야 합니다`);
    out["rope.scaling.original_context_length"] = gguf.u32(original);
  }
  if (!isLongRope(config)) return out;
  if (original === undefined) {
    refuse(`LongRoPE needs "original_max_position_embeddings" (Phi-3.5-mini: 4096): the context length its short factors were trained for`, `LongRoPE에는 "original_max_position_embeddings"(Phi-3.5-mini는 4096)가 필요합니다. 짧은 계수를 학습한 문맥 길이입니다`);
  }
  const context = hfNumber(config, "max_position_embeddings") ?? original!;
  const explicit = hfRopeParameters(config).full["attention_factor"];
  // transformers uses an explicit rope_scaling.attention_factor when the config has one (convert ignores it; no
  // published Phi-3 config has one); otherwise both compute the same factor from the two lengths.
  const scale = context / original!;
  const attnFactor = typeof explicit === "number" ? explicit : scale > 1 ? Math.sqrt(1 + Math.log(scale) / Math.log(original!)) : 1;
  out["rope.scaling.attn_factor"] = gguf.f32(attnFactor);
  return out;
}

/** rope_factors_long.weight and rope_factors_short.weight [rotary dims / 2] for a LongRoPE config; nothing otherwise. */
export function phi3RopeFactors(config: HfConfig): HfConfigTensor[] {
  if (!isLongRope(config)) return [];
  const rope = hfRopeParameters(config).full;
  const half = ropeDims(config) / 2;
  const factors = (key: "long_factor" | "short_factor"): Float32Array => {
    const list = rope[key];
    if (!Array.isArray(list) || list.length !== half || !list.every((v) => typeof v === "number" && Number.isFinite(v) && v > 0)) {
      return refuse(
        `LongRoPE's "${key}" must list ${half} positive numbers (half the rotated head width), found ${JSON.stringify(list)?.slice(0, 120)}`,
        `LongRoPE의 "${key}"에는 양수 ${half}개(회전하는 헤드 폭의 절반)가 있어야 하지만 ${JSON.stringify(list)?.slice(0, 120)}입니다`,
      );
    }
    return Float32Array.from(list as number[]);
  };
  return [
    { name: "rope_factors_long.weight", ne: [half], values: factors("long_factor") },
    { name: "rope_factors_short.weight", ne: [half], values: factors("short_factor") },
  ];
}
