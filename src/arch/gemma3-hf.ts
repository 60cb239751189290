// Gemma 3's config.json -> the GGUF metadata llama.cpp's gemma3 loader reads (HfNaming.configMetadata of gemma3.ts).
// Gemma3TextConfig leaves many numbers to transformers' defaults (the 4B+ text_config holds only a few keys), so the
// defaults are transformers' own, as convert_hf_to_gguf.py's Gemma3Model writes them: head width 256, context 131072,
// 8 query heads over 4 key/value heads, epsilon 1e-6, global RoPE base 1e6, local base 10000, window period 6.
// What llama.cpp cannot express (a window pattern without a period, scaled RoPE on the windowed layers, attention
// logit soft-capping, a query scale other than the one it derives) is refused rather than silently changed.
import { InvalidConfigError } from "../errors.js";
import { gguf, type GgufValue } from "../formats/gguf/values.js";
import { hfNumber, hfRopeParameters, type HfConfig } from "./hf-config.js";
import type { DecoderShape } from "./shape.js";

/** Gemma3TextConfig's defaults for the keys a text_config may leave out. */
const DEFAULTS = {
  max_position_embeddings: 131072,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  rms_norm_eps: 1e-6,
  vocab_size: 262208,
  rope_theta: 1_000_000,
  rope_local_base_freq: 10_000,
  sliding_window_pattern: 6,
  query_pre_attn_scalar: 256,
} as const;

const refuse = (en: string, ko: string): never => {
  throw new InvalidConfigError({ en: `config.json: ${en}`, ko: `config.json: ${ko}` });
};

/**
 * The period of the sliding-window layers, as llama.cpp's set_swa_pattern reads `attention.sliding_window_pattern`:
 * layer il is windowed unless il % period == period - 1; 0 windows every layer, 1 none. transformers (4.53+) writes
 * the layers' kinds as `layer_types`, which wins over `sliding_window_pattern` as it does in Gemma3TextConfig.
 */
export function gemma3WindowPeriod(config: HfConfig, nLayer: number): number {
  const types = config["layer_types"];
  if (Array.isArray(types)) {
    const windowed = types.map((t) => t === "sliding_attention");
    if (types.length !== nLayer || types.some((t) => t !== "sliding_attention" && t !== "full_attention")) {
      refuse(
        `"layer_types" must list "sliding_attention" or "full_attention" for each of the ${nLayer} layers, found ${JSON.stringify(types).slice(0, 200)}`,
        `"layer_types"에는 ${nLayer}개 층 각각에 "sliding_attention" 또는 "full_attention"이 있어야 하지만 ${JSON.stringify(types).slice(0, 200)}입니다`,
      );
    }
    if (windowed.every(Boolean)) return 0;
    // The smallest period that reproduces the list (every period-th layer global); llama.cpp stores no per-layer list.
    for (let period = 1; period <= nLayer; period++) {
      if (windowed.every((w, il) => w === il % period < period - 1)) return period;
    }
    return refuse(
      `"layer_types" ${JSON.stringify(types)} does not repeat with a period (every n-th layer global), which is the only pattern llama.cpp's gemma3 reads (attention.sliding_window_pattern)`,
      `"layer_types" ${JSON.stringify(types)}는 일정한 주기(n번째 층마다 전역)로 반복되지 않습니다. llama.cpp의 gemma3는 그런 패턴(attention.sliding_window_pattern)만 읽습니다`,
    );
  }
  const period = hfNumber(config, "sliding_window_pattern") ?? hfNumber(config, "_sliding_window_pattern") ?? DEFAULTS.sliding_window_pattern;
  if (!Number.isSafeInteger(period) || period < 1) {
    refuse(`"sliding_window_pattern" is ${period}, expected a positive integer`, `"sliding_window_pattern" 값이 ${period}입니다. 양의 정수여야 합니다`);
  }
  return period;
}

/** The query scale llama.cpp's gemma3 (and our engine) derives: `attentionScale` of gemma3.ts for these sizes. */
export type Gemma3AttentionScale = (hp: DecoderShape) => number;

/** The GGUF keys (after "gemma3.") Gemma 3 needs beyond the common ones; `attentionScale` is gemma3.ts's own. */
export function gemma3ConfigMetadata(config: HfConfig, attentionScale: Gemma3AttentionScale): Record<string, GgufValue> {
  const out: Record<string, GgufValue> = {};
  const num = (key: keyof typeof DEFAULTS) => hfNumber(config, key) ?? DEFAULTS[key];
  // Only where config.json says nothing: the common keys (written from config.json) stay as they are.
  const absent = (key: string) => config[key] === undefined || config[key] === null;
  if (absent("max_position_embeddings")) out["context_length"] = gguf.u32(DEFAULTS.max_position_embeddings);
  if (absent("num_attention_heads")) out["attention.head_count"] = gguf.u32(DEFAULTS.num_attention_heads);
  if (absent("num_key_value_heads")) out["attention.head_count_kv"] = gguf.u32(DEFAULTS.num_key_value_heads);
  if (absent("head_dim")) {
    out["attention.key_length"] = gguf.u32(DEFAULTS.head_dim);
    out["attention.value_length"] = gguf.u32(DEFAULTS.head_dim);
  }
  if (absent("rms_norm_eps")) out["attention.layer_norm_rms_epsilon"] = gguf.f32(DEFAULTS.rms_norm_eps);
  if (absent("vocab_size")) out["vocab_size"] = gguf.u32(DEFAULTS.vocab_size);

  const rope = hfRopeParameters(config);
  // llama.cpp's default base is 10000; Gemma 3's global layers default to 1e6.
  if (rope.full["rope_theta"] === undefined) out["rope.freq_base"] = gguf.f32(DEFAULTS.rope_theta);
  // The windowed layers' RoPE: rope_local_base_freq (transformers < 5) or rope_parameters.sliding_attention (5+).
  // llama.cpp applies no scaling there (rope_freq_scale_train_swa = 1), as Gemma3's local rotary embedding has none.
  const sliding = rope.sliding ?? {};
  const slidingType = typeof sliding["rope_type"] === "string" ? sliding["rope_type"] : "default";
  if (slidingType !== "default") {
    refuse(
      `the sliding-window layers' RoPE is "${slidingType}"; llama.cpp's gemma3 applies no RoPE scaling to them`,
      `슬라이딩 윈도 층의 RoPE가 "${slidingType}"입니다. llama.cpp의 gemma3는 그 층에 RoPE 스케일링을 적용하지 않습니다`,
    );
  }
  const localBase = typeof sliding["rope_theta"] === "number" ? sliding["rope_theta"] : num("rope_local_base_freq");
  if (!(localBase > 0)) refuse(`"rope_local_base_freq" is ${localBase}, expected a number above 0`, `"rope_local_base_freq" 값이 ${localBase}입니다. 0보다 커야 합니다`);

  // Sliding windows, as convert writes them: none when every layer is global (sliding_window_pattern 1).
  const nLayer = hfNumber(config, "num_hidden_layers") ?? 0;
  const period = gemma3WindowPeriod(config, nLayer);
  if (period !== 1) {
    const window = hfNumber(config, "sliding_window");
    if (window === undefined || !Number.isSafeInteger(window) || window < 1) {
      refuse(`"sliding_window" is ${JSON.stringify(config["sliding_window"])}, expected the window width in tokens (Gemma 3 1B: 512)`, `"sliding_window" 값이 ${JSON.stringify(config["sliding_window"])}입니다. 윈도 폭(토큰 수, Gemma 3 1B는 512)이어야 합니다`);
    }
    out["attention.sliding_window"] = gguf.u32(window!);
    out["attention.sliding_window_pattern"] = gguf.u32(period);
    out["rope.freq_base_swa"] = gguf.f32(localBase);
  }

  // Gemma 2's attention logit soft-capping is gone in Gemma 3 and llama.cpp's gemma3 does not apply it.
  const attnCap = config["attn_logit_softcapping"];
  if (attnCap !== undefined && attnCap !== null) {
    refuse(`"attn_logit_softcapping" is ${JSON.stringify(attnCap)}; llama.cpp's gemma3 does not cap attention logits (Gemma 3 has null)`, `"attn_logit_softcapping" 값이 ${JSON.stringify(attnCap)}입니다. llama.cpp의 gemma3는 어텐션 로짓을 제한하지 않습니다 (Gemma 3는 null)`);
  }
  const finalCap = config["final_logit_softcapping"];
  if (finalCap !== undefined && finalCap !== null) {
    if (typeof finalCap !== "number" || !(finalCap > 0)) refuse(`"final_logit_softcapping" is ${JSON.stringify(finalCap)}, expected null or a number above 0`, `"final_logit_softcapping" 값이 ${JSON.stringify(finalCap)}입니다. null 또는 0보다 큰 수여야 합니다`);
    out["final_logit_softcapping"] = gguf.f32(finalCap as number);
  }

  // transformers scales queries by query_pre_attn_scalar^-0.5; llama.cpp derives its scale from the sizes alone.
  const nEmbd = hfNumber(config, "hidden_size") ?? 0;
  const nHead = num("num_attention_heads");
  const headDim = num("head_dim");
  const scalar = num("query_pre_attn_scalar");
  const shape = { arch: "gemma3", nLayer, nEmbd, nHead, nHeadKv: num("num_key_value_heads"), headDim, nFf: 0, nVocab: 0, nCtxTrain: 0, tiedEmbeddings: true };
  const derived = attentionScale(shape);
  if (!(scalar > 0) || Math.abs(scalar ** -0.5 - derived) > 1e-6 * derived) {
    refuse(
      `"query_pre_attn_scalar" is ${scalar}, so queries are scaled by ${(scalar ** -0.5).toPrecision(6)}; llama.cpp's gemma3 scales them by ${derived.toPrecision(6)} (1/sqrt of the head width ${headDim}, or of hidden_size / num_attention_heads for the 62-layer 27B) and would compute different logits`,
      `"query_pre_attn_scalar" 값이 ${scalar}이므로 쿼리 배율이 ${(scalar ** -0.5).toPrecision(6)}입니다. llama.cpp의 gemma3는 ${derived.toPrecision(6)}(헤드 폭 ${headDim}의 1/sqrt, 62층 27B는 hidden_size / num_attention_heads의 1/sqrt)을 써서 로짓이 달라집니다`,
    );
  }
  return out;
}
