// config.json -> the architecture and the GGUF hyper-parameter metadata llama.cpp's loader reads, as
// convert_hf_to_gguf.py writes them for llama-family decoders (TextModel.set_gguf_parameters and LlamaModel's
// vocab_size and rope.dimension_count), plus what the architecture's own file adds (HfNaming.configMetadata).
import { ARCHITECTURES } from "../arch/registry.js";
import { hfRopeParameters, type HfConfig, type HfConfigTensor } from "../arch/hf-config.js";
import type { DecoderShape } from "../arch/shape.js";
import type { ArchDefinition } from "../arch/types.js";
import { HfModelError, InvalidConfigError, UnsupportedArchitectureError } from "../errors.js";
import { gguf, type GgufValue } from "../formats/gguf/index.js";
import { isJsonObject, type JsonObject } from "./hf-files.js";

/**
 * The config an import reads: multimodal checkpoints (Gemma3ForConditionalGeneration) keep the decoder's numbers in
 * `text_config`, which then wins over the top level, as convert_hf_to_gguf.py merges it.
 */
export function textConfig(config: JsonObject): HfConfig {
  const text = config["text_config"];
  return isJsonObject(text) ? { ...config, ...text } : config;
}

/** The registered architecture whose Hugging Face names include config.json's `architectures[0]`. */
export function architectureOf(folder: string, config: HfConfig): ArchDefinition {
  const names = config["architectures"];
  const name = Array.isArray(names) && typeof names[0] === "string" ? names[0] : undefined;
  if (name === undefined) {
    throw new HfModelError(folder, {
      en: 'config.json has no "architectures" list, so the model family is unknown; use the config.json of the checkpoint as published',
      ko: 'config.json에 "architectures" 목록이 없어 모델 계열을 알 수 없습니다. 배포된 체크포인트의 config.json을 그대로 쓰세요',
    });
  }
  const arch = ARCHITECTURES.find((a) => a.hf.architectures.includes(name));
  if (!arch) throw new UnsupportedArchitectureError(name, ARCHITECTURES.map((a) => `${a.hf.architectures.join(" / ")} (${a.families})`));
  return arch;
}

/** Checkpoints quantized for transformers (GPTQ, AWQ, bitsandbytes, FP8) store packed integers, not weights. */
export function refuseQuantizedCheckpoint(folder: string, config: HfConfig): void {
  const q = config["quantization_config"];
  if (q === undefined || q === null) return;
  const method = isJsonObject(q) && typeof q["quant_method"] === "string" ? q["quant_method"] : "unknown";
  throw new HfModelError(folder, {
    en: `the checkpoint is quantized for transformers (quantization_config.quant_method = ${method}); import the unquantized (BF16/F16/F32) checkpoint and choose --type instead`,
    ko: `체크포인트가 transformers용으로 양자화되어 있습니다 (quantization_config.quant_method = ${method}). 양자화하지 않은(BF16/F16/F32) 체크포인트를 가져오고 --type으로 형식을 고르세요`,
  });
}

/** The GGUF metadata of the hyper-parameters (keys in llama.cpp's names, values in its types) and the decoder's shape. */
export interface HfHparams {
  metadata: Map<string, GgufValue>;
  /** The decoder's sizes; tiedEmbeddings is what config.json says (the checkpoint's tensors decide in the end). */
  shape: DecoderShape;
}

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const positiveFinite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0;

/** The first of `keys` present in the config (converters of different eras wrote different names). */
function pick(config: HfConfig, keys: readonly string[]): { key: string; value: unknown } | undefined {
  for (const key of keys) if (config[key] !== undefined && config[key] !== null) return { key, value: config[key] };
  return undefined;
}

/** RoPE scaling metadata for the types llama.cpp applies from keys alone; llama3's factors come as a tensor. */
function ropeScaling(folder: string, arch: ArchDefinition, config: HfConfig, put: (key: string, v: GgufValue) => void): void {
  const rope = hfRopeParameters(config).full;
  const type = typeof rope["rope_type"] === "string" ? rope["rope_type"].toLowerCase() : undefined;
  const factor = rope["factor"];
  if (type === undefined || type === "default" || type === "llama3") return;
  if (type === "linear" || type === "yarn") {
    if (!positiveFinite(factor)) {
      throw new HfModelError(folder, { en: `config.json: RoPE scaling "${type}" needs a positive "factor", found ${JSON.stringify(factor)}`, ko: `config.json: RoPE 스케일링 "${type}"에는 양수 "factor"가 필요하지만 ${JSON.stringify(factor)}입니다` });
    }
    put("rope.scaling.type", gguf.str(type));
    put("rope.scaling.factor", gguf.f32(factor));
    if (type === "yarn") {
      const orig = rope["original_max_position_embeddings"];
      if (positiveInt(orig)) put("rope.scaling.original_context_length", gguf.u32(orig));
      const yarnKeys: Array<[string, string[]]> = [
        ["rope.scaling.yarn_ext_factor", ["extrapolation_factor"]],
        ["rope.scaling.yarn_attn_factor", ["attention_factor", "attn_factor"]],
        ["rope.scaling.yarn_beta_fast", ["beta_fast"]],
        ["rope.scaling.yarn_beta_slow", ["beta_slow"]],
      ];
      for (const [key, names] of yarnKeys) {
        const found = pick(rope, names);
        if (typeof found?.value === "number") put(key, gguf.f32(found.value));
      }
    }
    return;
  }
  if (type === "longrope" || type === "su") {
    // Phi-3's LongRoPE: the type here, its factors and attention factor from the architecture's own hooks. Only a
    // loader that reads rope_factors_short/long applies it; elsewhere the model would run unscaled.
    if (!archConfigTensors(folder, arch, config).some((t) => t.name === "rope_factors_long.weight")) {
      throw new HfModelError(folder, {
        en: `config.json: RoPE scaling "${type}" (LongRoPE) is applied by llama.cpp's phi3 only, not by ${arch.name}`,
        ko: `config.json: RoPE 스케일링 "${type}"(LongRoPE)는 llama.cpp의 phi3만 적용하고 ${arch.name}은(는) 적용하지 않습니다`,
      });
    }
    put("rope.scaling.type", gguf.str("longrope"));
    return;
  }
  throw new HfModelError(folder, {
    en: `config.json: RoPE scaling "${type}" is not one llama.cpp's loader applies from a GGUF (supported: default, linear, yarn, llama3, longrope)`,
    ko: `config.json: RoPE 스케일링 "${type}"은(는) llama.cpp가 GGUF에서 적용하는 방식이 아닙니다 (지원: default, linear, yarn, llama3, longrope)`,
  });
}

/** Runs an architecture's config.json hook; a value it refuses (InvalidConfigError, no folder known there) names the folder. */
function inFolder<T>(folder: string, hook: () => T): T {
  try {
    return hook();
  } catch (e) {
    if (e instanceof InvalidConfigError) throw new HfModelError(folder, { en: e.message, ko: e.ko ?? e.message });
    throw e;
  }
}

/** The architecture's own GGUF keys from config.json (HfNaming.configMetadata). */
function archConfigMetadata(folder: string, arch: ArchDefinition, config: HfConfig): Readonly<Record<string, GgufValue>> {
  return inFolder(folder, () => arch.hf.configMetadata?.(config) ?? {});
}

/** The tensors the architecture computes from config.json (HfNaming.configTensors: rope_freqs, LongRoPE factors). */
export function archConfigTensors(folder: string, arch: ArchDefinition, config: HfConfig): readonly HfConfigTensor[] {
  return inFolder(folder, () => arch.hf.configTensors?.(config) ?? []);
}

/** Reads config.json's hyper-parameters into GGUF metadata under "<arch>.", checking each one llama.cpp requires. */
export function hfHparams(folder: string, arch: ArchDefinition, config: HfConfig): HfHparams {
  const entries = new Map<string, GgufValue>();
  const put = (key: string, v: GgufValue) => entries.set(key, v);
  const bad = (key: string, value: unknown, want: string): never => {
    throw new HfModelError(folder, {
      en: `config.json: "${key}" is ${JSON.stringify(value)}, expected ${want}`,
      ko: `config.json: "${key}" 값이 ${JSON.stringify(value)}입니다. ${want === "a positive integer" ? "양의 정수" : "0보다 큰 유한한 수"}여야 합니다`,
    });
  };
  const int = (ggufKey: string, names: readonly string[]) => {
    const found = pick(config, names);
    if (found === undefined) return;
    if (!positiveInt(found.value)) bad(found.key, found.value, "a positive integer");
    put(ggufKey, gguf.u32(found.value as number));
  };
  // convert_hf_to_gguf.py's find_hparam lists, first name first.
  int("context_length", ["max_position_embeddings", "n_ctx", "n_positions", "max_length", "max_sequence_length", "model_max_length"]);
  int("embedding_length", ["hidden_size", "n_embd", "dim"]);
  int("block_count", ["num_hidden_layers", "n_layer", "num_layers"]);
  int("feed_forward_length", ["intermediate_size", "n_inner", "hidden_dim"]);
  int("attention.head_count", ["num_attention_heads", "n_head", "n_heads"]);
  int("attention.head_count_kv", ["num_key_value_heads", "n_kv_heads"]);
  int("attention.key_length", ["head_dim"]);
  int("attention.value_length", ["head_dim"]);
  int("vocab_size", ["vocab_size"]);
  // Every registered architecture normalises with RMSNorm: EXAONE 3's config calls its epsilon layer_norm_epsilon.
  const eps = pick(config, ["rms_norm_eps", "norm_eps", "layer_norm_epsilon"]);
  if (eps !== undefined) {
    if (!positiveFinite(eps.value)) bad(eps.key, eps.value, "a finite number above 0");
    put("attention.layer_norm_rms_epsilon", gguf.f32(eps.value as number));
  }
  const theta = hfRopeParameters(config).full["rope_theta"];
  if (theta !== undefined) {
    if (!positiveFinite(theta)) bad("rope_theta", theta, "a finite number above 0");
    put("rope.freq_base", gguf.f32(theta as number));
  }
  ropeScaling(folder, arch, config, put);
  // The architecture's own keys win: they know defaults the config leaves out (Gemma 3's head width of 256).
  for (const [key, value] of Object.entries(archConfigMetadata(folder, arch, config))) put(key, value);

  const u32 = (key: string): number | undefined => {
    const v = entries.get(key);
    return v?.type === "uint32" ? v.value : undefined;
  };
  const required = ["context_length", "embedding_length", "block_count", "feed_forward_length", "attention.head_count", "vocab_size"];
  const missing = required.filter((k) => u32(k) === undefined);
  if (!entries.has("attention.layer_norm_rms_epsilon")) missing.push("attention.layer_norm_rms_epsilon");
  if (missing.length > 0) {
    throw new HfModelError(folder, {
      en: `config.json lacks what llama.cpp needs for ${missing.join(", ")} (e.g. hidden_size, num_hidden_layers, intermediate_size, num_attention_heads, vocab_size, max_position_embeddings, rms_norm_eps); use the checkpoint's own config.json`,
      ko: `config.json에 llama.cpp가 필요로 하는 ${missing.join(", ")} 값이 없습니다 (hidden_size, num_hidden_layers, intermediate_size, num_attention_heads, vocab_size, max_position_embeddings, rms_norm_eps 등). 체크포인트의 config.json을 그대로 쓰세요`,
    });
  }
  const nEmbd = u32("embedding_length")!;
  const nHead = u32("attention.head_count")!;
  const headDim = u32("attention.key_length") ?? nEmbd / nHead;
  if (!Number.isInteger(headDim)) bad("hidden_size", nEmbd, `a multiple of num_attention_heads (${nHead}) when head_dim is not given`);
  // RoPE may rotate only part of each head (Phi-4-mini, EXAONE 3 with partial_rotary_factor).
  const partial = pick(config, ["partial_rotary_factor"])?.value ?? hfRopeParameters(config).full["partial_rotary_factor"];
  const ropeDims = typeof partial === "number" && partial > 0 && partial <= 1 ? Math.floor(partial * headDim) : headDim;
  if (!entries.has("rope.dimension_count")) put("rope.dimension_count", gguf.u32(ropeDims));
  const nHeadKv = u32("attention.head_count_kv") ?? nHead;
  if (nHead % nHeadKv !== 0) bad("num_key_value_heads", nHeadKv, `a divisor of num_attention_heads (${nHead})`);

  const metadata = new Map<string, GgufValue>();
  for (const [key, value] of entries) metadata.set(`${arch.name}.${key}`, value);
  const shape: DecoderShape = {
    arch: arch.name,
    nLayer: u32("block_count")!,
    nEmbd,
    nFf: u32("feed_forward_length")!,
    nHead,
    nHeadKv,
    headDim,
    nVocab: u32("vocab_size")!,
    nCtxTrain: u32("context_length")!,
    tiedEmbeddings: config["tie_word_embeddings"] === true,
  };
  return { metadata, shape };
}
