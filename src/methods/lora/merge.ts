// Merges GGUF LoRA adapters into a base GGUF: W' = W + sum over adapters of s * alpha / r * B A (llama.cpp's scale,
// llama_adapter_lora_weight::get_scale), so the merged model computes what llama.cpp computes with the adapters
// attached. Adapted weights are dequantized, merged in float32 and written in the requested type (ggml's own
// quantizers); every other tensor is copied byte for byte. Tensors stream one at a time into a temp file.
import path from "node:path";
import { AdapterFormatError, InvalidConfigError, UnsupportedTensorTypeError } from "../../errors.js";
import {
  DEQUANTIZABLE_TYPES,
  dequantize,
  GgmlType,
  ggmlTypeInfo,
  ggmlTypeName,
  gguf,
  readGguf,
  rowBytes,
  writeGguf,
  type GgufTensorInfo,
  type GgufTensorInput,
  type GgufValue,
} from "../../formats/gguf/index.js";
import { f32ToBf16Array, f32ToF16Array } from "../../formats/quant/half.js";
import { assertOutputIsNotInput } from "../../fs/output-guard.js";
import { loadGgml } from "../../native/ggml-runtime.js";
import { resolveModelPath } from "../../native/model-source.js";
import { checkLoraAgainstBase, loraPairScale, readGgufLora, readLoraPair, type GgufLora, type LoraPair } from "./gguf-lora.js";

/** Output types `--type` accepts by name. */
export const MERGE_TYPES = { f32: GgmlType.F32, f16: GgmlType.F16, bf16: GgmlType.BF16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0, q4_k: GgmlType.Q4_K, q6_k: GgmlType.Q6_K } as const;
export type MergeTypeName = keyof typeof MERGE_TYPES;

export interface MergeAdapterSpec {
  /** GGUF LoRA adapter file. */
  path: string;
  /** User scale, as node-llama-cpp's lora `scale` (default 1). */
  scale?: number;
}

export interface MergeOptions {
  /** Base GGUF. */
  model: string;
  adapters: readonly MergeAdapterSpec[];
  /** Merged GGUF to write. */
  out: string;
  /** Storage type of the merged (adapted) weights; default: each weight's own type in the base. */
  type?: MergeTypeName;
  /** Called after each adapted weight is merged. */
  onProgress?: (done: number, total: number, tensor: string) => void;
}

export interface MergeResult {
  out: string;
  /** Weights that received a delta. */
  merged: number;
  /** Tensors copied unchanged. */
  copied: number;
  /** Merged weights stored in another type than asked, and why. */
  fallbacks: { tensor: string; wanted: string; written: string; reason: string }[];
}

/** One delta to add to a base weight. */
interface Delta {
  lora: GgufLora;
  pair: LoraPair;
  /** User scale x alpha / r. */
  factor: number;
}

/**
 * Encodes float32 rows into `type` synchronously (the GGUF writer pulls tensor data through a synchronous callback, so
 * the merged model never sits in memory whole); ggml is loaded beforehand when a quantized type is needed.
 */
async function encoderFor(types: readonly GgmlType[]): Promise<(type: GgmlType, values: Float32Array, rowLength: number) => Uint8Array> {
  const api = types.some((t) => ggmlTypeInfo(t).quantized) ? (await loadGgml()).api : undefined;
  return (type, values, rowLength) => {
    if (type === GgmlType.F32) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    if (type === GgmlType.F16) return new Uint8Array(f32ToF16Array(values).buffer);
    if (type === GgmlType.BF16) return new Uint8Array(f32ToBf16Array(values).buffer);
    const rows = values.length / rowLength;
    const out = new Uint8Array(rows * rowBytes(type, rowLength));
    api!.ggml_quantize_chunk(type, values, out, 0, rows, rowLength, null);
    return out;
  };
}

/** W [out][in] += factor * B [out][r] A [r][in], in place. */
export function addLowRank(w: Float32Array, a: Float32Array, b: Float32Array, nIn: number, nOut: number, rank: number, factor: number): void {
  for (let o = 0; o < nOut; o++) {
    const row = o * nIn;
    let k = 0;
    // Four rank components per pass over the row of W: a quarter of the loads and stores of W.
    for (; k + 4 <= rank; k += 4) {
      const c0 = factor * b[o * rank + k]!, c1 = factor * b[o * rank + k + 1]!, c2 = factor * b[o * rank + k + 2]!, c3 = factor * b[o * rank + k + 3]!;
      const a0 = k * nIn, a1 = a0 + nIn, a2 = a1 + nIn, a3 = a2 + nIn;
      for (let i = 0; i < nIn; i++) w[row + i]! += c0 * a[a0 + i]! + c1 * a[a1 + i]! + c2 * a[a2 + i]! + c3 * a[a3 + i]!;
    }
    for (; k < rank; k++) {
      const c = factor * b[o * rank + k]!;
      const arow = k * nIn;
      for (let i = 0; i < nIn; i++) w[row + i]! += c * a[arow + i]!;
    }
  }
}

export async function mergeAdapters(input: MergeOptions): Promise<MergeResult> {
  // The base may be an hf: URI or URL: resolved once here, so everything below reads the local file.
  const options = { ...input, model: await resolveModelPath(input.model) };
  if (options.adapters.length === 0) throw new InvalidConfigError({ en: "give at least one adapter to merge (--adapter)", ko: "병합할 어댑터를 하나 이상 주세요 (--adapter)" });
  if (options.type !== undefined && !Object.hasOwn(MERGE_TYPES, options.type)) {
    const names = Object.keys(MERGE_TYPES).join(", ");
    throw new InvalidConfigError({ en: `--type must be one of ${names}, got "${options.type}"`, ko: `--type은 ${names} 중 하나여야 하지만 "${options.type}"입니다` });
  }
  // The merged model is written over --out: never over the base or an adapter (a second merge would apply it twice).
  assertOutputIsNotInput({ path: options.out, kind: "file" }, [options.model, ...options.adapters.map((a) => a.path)]);
  const base = readGguf(options.model);
  const deltas = new Map<string, Delta[]>();
  for (const spec of options.adapters) {
    const lora = readGgufLora(spec.path);
    checkLoraAgainstBase(lora, base, options.model);
    if (lora.others.length > 0) {
      throw new AdapterFormatError(spec.path, { en: `tensors that are not LoRA factors: ${lora.others.join(", ")}`, ko: `LoRA 인자가 아닌 텐서: ${lora.others.join(", ")}` });
    }
    for (const pair of lora.pairs) {
      // llama.cpp applies token_embd's pair with A and B flipped (llm_build_inp_embd); not a plain matmul delta.
      if (pair.name === "token_embd") throw new AdapterFormatError(spec.path, { en: "merging a LoRA on token_embd is not supported", ko: "token_embd에 대한 LoRA 병합은 지원하지 않습니다" });
      const list = deltas.get(`${pair.name}.weight`) ?? [];
      list.push({ lora, pair, factor: (spec.scale ?? 1) * loraPairScale(lora.alpha, pair.rank) });
      deltas.set(`${pair.name}.weight`, list);
    }
  }

  const wanted = options.type !== undefined ? MERGE_TYPES[options.type] : undefined;
  const fallbacks: MergeResult["fallbacks"] = [];
  const targetType = (info: GgufTensorInfo): GgmlType => {
    const type = wanted ?? info.type;
    const block = ggmlTypeInfo(type).blockSize;
    if (info.ne[0]! % block === 0) return type;
    fallbacks.push({ tensor: info.name, wanted: ggmlTypeName(type), written: "F32", reason: `rows of ${info.ne[0]} values are not a multiple of the ${ggmlTypeName(type)} block size ${block}` });
    return GgmlType.F32;
  };
  const unreadable = base.tensors.filter((t) => deltas.has(t.name) && !DEQUANTIZABLE_TYPES.includes(t.type));
  if (unreadable.length > 0) {
    const list = unreadable.map((t) => `${t.name} (${ggmlTypeName(t.type)})`).join(", ");
    const supported = DEQUANTIZABLE_TYPES.map(ggmlTypeName).join(", ");
    throw new UnsupportedTensorTypeError({
      en: `cannot merge into ${list}: localtune dequantizes ${supported}. Merge into an F16 or Q8_0 copy of the base instead`,
      ko: `${list}에는 병합할 수 없습니다: localtune이 역양자화할 수 있는 타입은 ${supported}입니다. 기본 모델의 F16 또는 Q8_0 사본에 병합하세요`,
    });
  }
  const plan = base.tensors.map((info) => ({ info, deltas: deltas.get(info.name), type: deltas.has(info.name) ? targetType(info) : info.type }));
  const encode = await encoderFor(plan.filter((p) => p.deltas).map((p) => p.type));

  let done = 0;
  const total = deltas.size;
  const tensors: GgufTensorInput[] = plan.map(({ info, deltas: list, type }) => ({
    name: info.name,
    type,
    ne: info.ne,
    data: () => {
      if (!list) return base.readTensorData(info);
      const w = dequantize(info.type, base.readTensorData(info), info.elementCount); // [out][in], a fresh copy
      for (const d of list) {
        const { a, b } = readLoraPair(d.lora, d.pair);
        addLowRank(w, a, b, d.pair.nIn, d.pair.nOut, d.pair.rank, d.factor);
      }
      const bytes = encode(type, w, info.ne[0]!);
      options.onProgress?.(++done, total, info.name);
      return bytes;
    },
  }));
  const metadata = new Map<string, GgufValue>(base.metadata);
  metadata.set("localtune.merged_adapters", gguf.str(JSON.stringify(options.adapters.map((a) => ({ file: path.basename(a.path), scale: a.scale ?? 1 })))));
  await writeGguf(options.out, { metadata, tensors });
  return { out: options.out, merged: total, copied: base.tensors.length - total, fallbacks };
}
