// Seeded mutants of stories260K.gguf and of a PEFT LoRA folder for it, shared by test/gguf-fuzz.test.ts (a few
// hundred, in process) and bench/fuzz.ts (`npm run fuzz`: thousands, each in a child process). A mutant is built from
// the parsed original with our GGUF writer (so a changed string or shape gives a well-formed file that only lies in
// its values), or cut or bit-flipped as bytes (truncation, damaged headers). Same seed and index, same mutant.
import fs from "node:fs";
import path from "node:path";
import { seededRandom } from "../../src/engine/random.js";
import { encodeGguf, GgmlType, gguf, readGguf, type GgufTensorInput, type GgufValue } from "../../src/formats/gguf/index.js";
import { f32ToBf16Bits, f32ToF16Bits } from "../../src/formats/quant/half.js";
import { quantize } from "../../src/formats/quant/convert.js";
import { encodeSafetensors, readSafetensors } from "../../src/formats/safetensors/index.js";
import { tensorBytes } from "../../src/formats/tensor-types.js";

export const STORIES_260K = new URL("../../models/stories260K.gguf", import.meta.url).pathname;

export type Rng = { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T };

export function prng(seed: number): Rng {
  const next = seededRandom(seed);
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

export interface Mutant {
  /** Mutation class, for the counts. */
  kind: string;
  /** What was changed, to replay by hand. */
  what: string;
  bytes: Uint8Array;
}

interface Original {
  bytes: Buffer;
  metadata: Map<string, GgufValue>;
  tensors: Array<{ name: string; type: GgmlType; ne: number[]; data: Float32Array }>;
}

let original: Original | undefined;
function load(): Original {
  if (original) return original;
  const file = readGguf(STORIES_260K);
  const tensors = file.tensors.map((t) => {
    if (t.type !== GgmlType.F32) throw new Error("stories260K is expected to hold F32 tensors");
    const raw = file.readTensorData(t);
    return { name: t.name, type: t.type, ne: [...t.ne], data: new Float32Array(raw.slice().buffer) };
  });
  original = { bytes: fs.readFileSync(STORIES_260K), metadata: new Map(file.metadata), tensors };
  return original;
}

/** Integers llama.cpp and ggml have trouble with: 0, 1, -1, powers of two around 32-bit limits, huge. */
const INTS = [0, 1, -1, 2, 3, 4, 6, 7, 9, 16, 63, 65, 2 ** 31, 2 ** 32 - 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
const FLOATS = [Number.NaN, Infinity, -Infinity, -1, 0, 1e-30, 1e30, 3e38, -1e-5];
const STRINGS: Record<string, readonly string[]> = {
  "tokenizer.ggml.model": ["llama", "gpt2", "bert", "none", "no_vocab", "t5", "rwkv", "plamo2", "unknown", ""],
  "general.architecture": ["llama", "qwen2", "qwen3", "gpt2", "bert", "unknown", ""],
  "llama.rope.scaling.type": ["none", "linear", "yarn", "longrope", "unknown"],
  "tokenizer.ggml.pre": ["default", "llama-bpe", "qwen2", "unknown"],
};
/** Keys stories260K lacks that the loaders read when present. */
const ADDED_INTS = ["llama.attention.key_length", "llama.vocab_size", "llama.rope.scaling.original_context_length", "llama.attention.value_length"];
const ADDED_FLOATS = ["llama.rope.freq_base", "llama.rope.scaling.factor", "llama.rope.scale_linear"];

function intValue(n: number): GgufValue {
  if (n < 0) return n >= -(2 ** 31) ? gguf.i32(n) : gguf.i64(BigInt(n));
  return n <= 2 ** 32 - 1 ? gguf.u32(n) : gguf.u64(BigInt(n));
}

function encode(metadata: Map<string, GgufValue>, tensors: readonly GgufTensorInput[]): Uint8Array {
  return encodeGguf({ metadata, tensors });
}

const asInputs = (o: Original): GgufTensorInput[] => o.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne, data: t.data }));

/** Values of a tensor re-encoded in another type (F16, BF16, Q8_0, Q4_0) or raw bytes of an integer type. */
function retyped(rng: Rng, t: Original["tensors"][number]): GgufTensorInput {
  const type = rng.pick([GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.I32, GgmlType.I8, GgmlType.Q4_K]);
  const blockOk = (block: number) => t.ne[0]! % block === 0;
  if (type === GgmlType.F16) return { ...t, type, data: Uint16Array.from(t.data, f32ToF16Bits) };
  if (type === GgmlType.BF16) return { ...t, type, data: Uint16Array.from(t.data, f32ToBf16Bits) };
  if ((type === GgmlType.Q8_0 || type === GgmlType.Q4_0) && blockOk(32)) return { ...t, type, data: quantize(type, t.data) };
  if ((type === GgmlType.I32 || type === GgmlType.I8) || (type === GgmlType.Q4_K && blockOk(256))) {
    const bytes = new Uint8Array(tensorBytes(type, t.ne));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    return { ...t, type, data: bytes };
  }
  return { ...t, type: GgmlType.F16, data: Uint16Array.from(t.data, f32ToF16Bits) };
}

type Maker = (rng: Rng, o: Original) => { what: string; bytes: Uint8Array };

export const GGUF_MUTATIONS: Record<string, Maker> = {
  "metadata int": (rng, o) => {
    const keys = [...o.metadata].filter(([, v]) => v.type === "uint32" || v.type === "int32").map(([k]) => k);
    const key = rng.next() < 0.8 ? rng.pick(keys) : rng.pick(ADDED_INTS);
    const value = rng.pick(INTS);
    const m = new Map(o.metadata).set(key, intValue(value));
    return { what: `${key} = ${value}`, bytes: encode(m, asInputs(o)) };
  },
  "metadata float": (rng, o) => {
    const key = rng.next() < 0.6 ? "llama.attention.layer_norm_rms_epsilon" : rng.pick(ADDED_FLOATS);
    const value = rng.pick(FLOATS);
    const m = new Map(o.metadata).set(key, rng.next() < 0.5 ? gguf.f32(value) : gguf.f64(value));
    return { what: `${key} = ${value}`, bytes: encode(m, asInputs(o)) };
  },
  "metadata string": (rng, o) => {
    const key = rng.pick(Object.keys(STRINGS));
    const value = rng.pick(STRINGS[key]!);
    const m = new Map(o.metadata).set(key, gguf.str(value));
    return { what: `${key} = "${value}"`, bytes: encode(m, asInputs(o)) };
  },
  "metadata removed or retyped": (rng, o) => {
    const key = rng.pick([...o.metadata.keys()]);
    const m = new Map(o.metadata);
    const how = rng.pick(["removed", "float", "string", "array"]);
    if (how === "removed") m.delete(key);
    else m.set(key, how === "float" ? gguf.f32(1.5) : how === "string" ? gguf.str("x") : gguf.i32s([1, 2]));
    return { what: `${key} ${how}`, bytes: encode(m, asInputs(o)) };
  },
  "tokenizer arrays": (rng, o) => {
    const key = rng.pick(["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"]);
    const m = new Map(o.metadata);
    const v = m.get(key)!;
    if (v.type !== "array") throw new Error(`${key} is not an array`);
    const n = v.value.items.length;
    const keep = rng.pick([0, 1, n - 1, n >> 1]);
    const how = rng.pick(["shortened", "NaN score", "lengthened"]);
    if (how === "NaN score") {
      const scores = Float32Array.from((o.metadata.get("tokenizer.ggml.scores")!.value as { items: Float32Array }).items);
      scores[rng.int(n)] = rng.pick([Number.NaN, Infinity]);
      m.set("tokenizer.ggml.scores", gguf.f32s(scores));
    } else if (how === "shortened") {
      m.set(key, { type: "array", value: { ...v.value, items: v.value.items.slice(0, keep) } as never });
    } else {
      const items = Array.from(v.value.items as ArrayLike<unknown>);
      m.set(key, { type: "array", value: { ...v.value, items: v.value.itemType === "string" ? [...(items as string[]), "<extra>"] : v.value.itemType === "float32" ? Float32Array.from([...(items as number[]), 0]) : Int32Array.from([...(items as number[]), 1]) } as never });
    }
    return { what: `${key} ${how}`, bytes: encode(m, asInputs(o)) };
  },
  "tensor shape": (rng, o) => {
    const inputs = asInputs(o);
    const i = rng.int(inputs.length);
    const t = o.tensors[i]!;
    const how = rng.pick(["swapped", "resized", "extra dim", "1-D"]);
    let ne = t.ne;
    if (how === "swapped" && t.ne.length === 2) ne = [t.ne[1]!, t.ne[0]!];
    else if (how === "resized") ne = t.ne.map((d, k) => (k === rng.int(t.ne.length) ? rng.pick([1, 2, d - 1, d + 1, d * 2]) : d)).map((d) => Math.max(1, d));
    else if (how === "extra dim") ne = [...t.ne, 2];
    else ne = [t.data.length];
    const data = new Float32Array(ne.reduce((a, b) => a * b, 1));
    data.set(t.data.subarray(0, data.length));
    inputs[i] = { name: t.name, type: t.type, ne, data };
    return { what: `${t.name} [${t.ne}] -> [${ne}]`, bytes: encode(o.metadata, inputs) };
  },
  "tensor set": (rng, o) => {
    const inputs = asInputs(o);
    const i = rng.int(inputs.length);
    const how = rng.pick(["removed", "renamed", "extra block", "duplicate under a new name"]);
    const t = inputs[i]!;
    if (how === "removed") inputs.splice(i, 1);
    else if (how === "renamed") inputs[i] = { ...t, name: t.name.replace(/^blk\.\d+/, "blk.9").replace(/\.weight$/, ".bias") };
    else if (how === "extra block") inputs.push({ ...t, name: `blk.5.attn_norm.weight`, ne: [64], data: new Float32Array(64).fill(1) });
    else inputs.push({ name: "rope_freqs.weight", type: GgmlType.F32, ne: [o.tensors[i]!.data.length], data: o.tensors[i]!.data });
    return { what: `${t.name} ${how}`, bytes: encode(o.metadata, inputs) };
  },
  "tensor type": (rng, o) => {
    const inputs = asInputs(o);
    const i = rng.int(inputs.length);
    inputs[i] = retyped(rng, o.tensors[i]!);
    return { what: `${o.tensors[i]!.name} as type ${inputs[i]!.type}`, bytes: encode(o.metadata, inputs) };
  },
  "tensor data NaN/Inf": (rng, o) => {
    const inputs = asInputs(o);
    const i = rng.int(inputs.length);
    const t = o.tensors[i]!;
    const data = Float32Array.from(t.data);
    const value = rng.pick([Number.NaN, Infinity, -Infinity, 3e38, -3e38]);
    const count = 1 + rng.int(4);
    for (let k = 0; k < count; k++) data[rng.int(data.length)] = value;
    inputs[i] = { ...inputs[i]!, data };
    // Half the time the damage is in F16 (or BF16) storage, whose NaN/Inf bit patterns differ from F32's.
    if (rng.next() < 0.5) inputs[i] = { ...inputs[i]!, type: GgmlType.F16, data: Uint16Array.from(data, f32ToF16Bits) };
    return { what: `${t.name}: ${count} x ${value} (${inputs[i]!.type === GgmlType.F16 ? "F16" : "F32"})`, bytes: encode(o.metadata, inputs) };
  },
  truncation: (rng, o) => {
    const at = rng.next() < 0.5 ? rng.int(o.bytes.length) : o.bytes.length - 1 - rng.int(4096);
    return { what: `cut at ${at} of ${o.bytes.length}`, bytes: o.bytes.subarray(0, at) };
  },
  "header bytes": (rng, o) => {
    const bytes = Buffer.from(o.bytes);
    const n = 1 + rng.int(4);
    for (let k = 0; k < n; k++) {
      const at = rng.int(20_000);
      bytes[at] = bytes[at]! ^ (1 << rng.int(8));
    }
    return { what: `${n} bit flips in the first 20,000 bytes`, bytes };
  },
};

/** Mutant `index` of the sequence for `seed`: the class cycles, so every class is represented in any count. */
export function ggufMutant(seed: number, index: number): Mutant {
  const kinds = Object.keys(GGUF_MUTATIONS);
  const kind = kinds[index % kinds.length]!;
  const rng = prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const { what, bytes } = GGUF_MUTATIONS[kind]!(rng, load());
  return { kind, what, bytes };
}

/** A PEFT folder's two files as bytes. */
export interface PeftFolder {
  config: Record<string, unknown>;
  /** adapter_config.json as written (JSON text can hold 1e999, read back as Infinity). */
  configText?: string;
  weights: Uint8Array;
}

/** Mutants of a valid PEFT folder for stories260K (`base`, e.g. from exportPeftAdapter). */
export function peftMutant(base: { dir: string }, seed: number, index: number): Mutant & { folder: PeftFolder } {
  const config = JSON.parse(fs.readFileSync(path.join(base.dir, "adapter_config.json"), "utf8")) as Record<string, unknown>;
  const weightsFile = path.join(base.dir, "adapter_model.safetensors");
  const st = readSafetensors(weightsFile);
  const rng = prng((seed ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const kinds = ["alpha", "rank", "factor values", "factor shapes", "truncated weights"] as const;
  const kind = kinds[index % kinds.length]!;
  const tensors = st.tensors.map((t) => ({ name: t.name, dtype: "F32" as const, shape: [...t.shape], data: st.readFloat32(t) }));
  let what = "";
  let configText: string | undefined;
  let weights: Uint8Array | undefined;
  if (kind === "alpha") {
    const value = rng.pick(["1e308", "1e999", "-1e999", "0", "-8", "1e-30", "3e38", "16"]);
    const where = rng.pick(["lora_alpha", "alpha_pattern"]);
    const text = JSON.stringify(where === "lora_alpha" ? { ...config, lora_alpha: 0 } : { ...config, alpha_pattern: { "model.layers.0.self_attn.q_proj": 0 } });
    configText = text.replace(where === "lora_alpha" ? '"lora_alpha":0' : '"model.layers.0.self_attn.q_proj":0', where === "lora_alpha" ? `"lora_alpha":${value}` : `"model.layers.0.self_attn.q_proj":${value}`);
    what = `${where} = ${value}`;
  } else if (kind === "rank") {
    const r = rng.pick([1, 2, 3, 8, 64]);
    const where = rng.pick(["r", "rank_pattern"]);
    config[where === "r" ? "r" : "rank_pattern"] = where === "r" ? r : { "model.layers.1.self_attn.q_proj": r };
    what = `${where} = ${r}`;
  } else if (kind === "factor values") {
    const t = rng.pick(tensors);
    const value = rng.pick([Number.NaN, Infinity, -Infinity, 3e38, -3e38, 1e5]);
    t.data[rng.int(t.data.length)] = value;
    what = `${t.name} holds ${value}`;
  } else if (kind === "factor shapes") {
    const i = rng.int(tensors.length);
    const t = tensors[i]!;
    const shape = rng.next() < 0.5 ? [t.shape[0]! - 1, t.shape[1]!] : [t.shape[0]!, t.shape[1]! + 1];
    const data = new Float32Array(Math.max(0, shape[0]! * shape[1]!));
    data.set(t.data.subarray(0, data.length));
    tensors[i] = { ...t, shape, data };
    what = `${t.name} [${t.shape}] -> [${shape}]`;
  } else {
    const bytes = fs.readFileSync(weightsFile);
    const at = rng.int(bytes.length);
    weights = bytes.subarray(0, at);
    what = `weights cut at ${at} of ${bytes.length}`;
  }
  weights ??= encodeSafetensors({ tensors });
  const folder: PeftFolder = { config, weights, ...(configText !== undefined ? { configText } : {}) };
  return { kind: `peft ${kind}`, what, bytes: weights, folder };
}

/** Writes a PEFT mutant into `dir` (created). */
export function writePeftFolder(dir: string, folder: PeftFolder): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "adapter_config.json"), folder.configText ?? JSON.stringify(folder.config));
  fs.writeFileSync(path.join(dir, "adapter_model.safetensors"), folder.weights);
}

/** stories260K with some metadata keys set (null removes one) and tensor elements overwritten: hand-made cases. */
export function ggufWith(changes: { metadata?: Record<string, GgufValue | null>; tensor?: { name: string; index: number; value: number; f16?: boolean } }): Uint8Array {
  const o = load();
  const m = new Map(o.metadata);
  for (const [key, value] of Object.entries(changes.metadata ?? {})) {
    if (value === null) m.delete(key);
    else m.set(key, value);
  }
  const inputs = asInputs(o);
  if (changes.tensor) {
    const { name, index, value, f16 } = changes.tensor;
    const i = inputs.findIndex((t) => t.name === name);
    const data = Float32Array.from(o.tensors[i]!.data);
    data[index] = value;
    inputs[i] = f16 ? { ...inputs[i]!, type: GgmlType.F16, data: Uint16Array.from(data, f32ToF16Bits) } : { ...inputs[i]!, data };
  }
  return encode(m, inputs);
}
