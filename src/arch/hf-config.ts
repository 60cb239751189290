// Reading a Hugging Face config.json as the architectures' import hooks need it (HfNaming.configMetadata and
// configTensors): typed numbers, and the RoPE parameters in both layouts transformers has written over the years.

/** A parsed config.json (the text config of a multimodal model, already merged in by the importer). */
export type HfConfig = Readonly<Record<string, unknown>>;

/** A tensor an architecture computes from config.json instead of reading it from the checkpoint. */
export interface HfConfigTensor {
  /** GGUF name, e.g. "rope_freqs.weight". */
  name: string;
  /** Shape in ggml order. */
  ne: readonly number[];
  values: Float32Array;
}

/** The number at `key`, or undefined when it is absent or null (a non-number is the caller's error to report). */
export function hfNumber(config: HfConfig, key: string): number | undefined {
  const v = config[key];
  return typeof v === "number" ? v : undefined;
}

/** RoPE parameters of one kind of layer: `rope_type` ("default", "linear", "llama3", "yarn", ...), `rope_theta`, `factor`... */
export type HfRopeParameters = Readonly<Record<string, unknown>>;

/**
 * The RoPE parameters of the full-attention layers and, when the config names them apart, of the sliding-window ones.
 * transformers before v5 writes `rope_theta` and `rope_scaling` at the top level; v5 writes `rope_parameters`, either
 * flat or keyed by layer type ({"full_attention": {...}, "sliding_attention": {...}}).
 */
export function hfRopeParameters(config: HfConfig): { full: HfRopeParameters; sliding?: HfRopeParameters } {
  const params = config["rope_parameters"];
  if (params && typeof params === "object" && !Array.isArray(params)) {
    const p = params as Record<string, unknown>;
    const full = p["full_attention"];
    if (full && typeof full === "object") {
      const sliding = p["sliding_attention"];
      return { full: full as HfRopeParameters, ...(sliding && typeof sliding === "object" ? { sliding: sliding as HfRopeParameters } : {}) };
    }
    return { full: p };
  }
  const scaling = config["rope_scaling"];
  const legacy: Record<string, unknown> = scaling && typeof scaling === "object" ? { ...(scaling as Record<string, unknown>) } : {};
  // Older configs say "type" where newer ones say "rope_type".
  if (legacy["rope_type"] === undefined && legacy["type"] !== undefined) legacy["rope_type"] = legacy["type"];
  if (config["rope_theta"] !== undefined) legacy["rope_theta"] = config["rope_theta"];
  return { full: legacy };
}
