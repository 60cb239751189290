// GGUF LoRA adapters in llama.cpp's convention (llama-adapter.cpp): general.type "adapter", adapter.type "lora",
// adapter.lora.alpha (absent = 0, meaning "scale 1"), and per adapted weight X.weight a pair X.weight.lora_a
// ne [in, r] and X.weight.lora_b ne [r, out]. In row-major terms lora_a is [r][in] and lora_b is [out][r]: the same
// bytes as PEFT's lora_A.weight [r, in] and lora_B.weight [out, r].
import fs from "node:fs";
import { AdapterFormatError, AdapterMismatchError, FileNotFoundError } from "../../errors.js";
import { dequantize, GgmlType, gguf, readGguf, writeGguf, type GgufFile, type GgufTensorInfo, type GgufTensorInput, type GgufValue } from "../../formats/gguf/index.js";
import { parseGgufProjection, type ProjectionRef } from "./module-names.js";

/** One adapted weight: its A/B tensors and shapes. */
export interface LoraPair {
  /** Base weight name without ".weight", e.g. "blk.3.attn_q". */
  name: string;
  /** The projection, when the name is a decoder projection localtune knows. */
  ref: ProjectionRef | undefined;
  a: GgufTensorInfo;
  b: GgufTensorInfo;
  rank: number;
  /** ne[0] and ne[1] of the base weight. */
  nIn: number;
  nOut: number;
}

export interface GgufLora {
  path: string;
  file: GgufFile;
  /** `general.architecture` of the adapter. */
  arch: string;
  /** adapter.lora.alpha, 0 when absent (llama.cpp then applies B A unscaled). */
  alpha: number;
  pairs: LoraPair[];
  /** Tensors that are not LoRA factors (e.g. norms added by mergekit-extract-lora). */
  others: string[];
}

/** The factor llama.cpp multiplies B A by at user scale 1 (llama_adapter_lora_weight::get_scale). */
export function loraPairScale(alpha: number, rank: number): number {
  return alpha ? alpha / rank : 1;
}

/** Reads a GGUF LoRA adapter's header and pairs its tensors; data stays on disk. */
export function readGgufLora(path: string): GgufLora {
  if (!fs.existsSync(path)) throw new FileNotFoundError(path, "adapter");
  const file = readGguf(path);
  const generalType = file.getString("general.type", "");
  const adapterType = file.getString("adapter.type", "");
  if (generalType !== "adapter" || adapterType !== "lora") {
    throw new AdapterFormatError(path, {
      en: `not a GGUF LoRA adapter: general.type is "${generalType}" and adapter.type is "${adapterType}" (expected "adapter" and "lora")`,
      ko: `GGUF LoRA 어댑터가 아닙니다: general.type이 "${generalType}", adapter.type이 "${adapterType}"입니다 ("adapter"와 "lora"여야 합니다)`,
    });
  }
  const halves = new Map<string, { a?: GgufTensorInfo; b?: GgufTensorInfo }>();
  const others: string[] = [];
  for (const t of file.tensors) {
    const m = /^(.*)\.weight\.lora_([ab])$/.exec(t.name);
    if (!m) {
      others.push(t.name);
      continue;
    }
    const entry = halves.get(m[1]!) ?? {};
    entry[m[2] as "a" | "b"] = t;
    halves.set(m[1]!, entry);
  }
  const pairs: LoraPair[] = [];
  for (const [name, { a, b }] of halves) {
    if (!a || !b) {
      throw new AdapterFormatError(path, { en: `LoRA pair of "${name}" lacks its lora_${a ? "b" : "a"} tensor`, ko: `"${name}"의 LoRA 쌍에 lora_${a ? "b" : "a"} 텐서가 없습니다` });
    }
    if (a.ne.length !== 2 || b.ne.length !== 2 || a.ne[1] !== b.ne[0]) {
      throw new AdapterFormatError(path, {
        en: `LoRA pair of "${name}": lora_a ne [${a.ne.join(", ")}] and lora_b ne [${b.ne.join(", ")}] do not share a rank (expected [in, r] and [r, out])`,
        ko: `"${name}"의 LoRA 쌍: lora_a ne [${a.ne.join(", ")}]와 lora_b ne [${b.ne.join(", ")}]의 랭크가 다릅니다 ([in, r]과 [r, out]이어야 합니다)`,
      });
    }
    pairs.push({ name, ref: parseGgufProjection(name), a, b, rank: a.ne[1]!, nIn: a.ne[0]!, nOut: b.ne[1]! });
  }
  return { path, file, arch: file.getString("general.architecture", ""), alpha: file.getFloat("adapter.lora.alpha", 0), pairs, others };
}

/** A and B of one pair as float32, row-major: a [r][in], b [out][r] (F16, BF16, Q8_0 ... factors are dequantized). */
export function readLoraPair(lora: GgufLora, pair: LoraPair): { a: Float32Array; b: Float32Array } {
  const read = (t: GgufTensorInfo) => dequantize(t.type, lora.file.readTensorData(t), t.elementCount);
  return { a: read(pair.a), b: read(pair.b) };
}

/**
 * Checks that every pair adapts a weight of `base` with the same shape, and that the architectures agree (llama.cpp
 * refuses a LoRA of another architecture). Throws AdapterMismatchError listing up to five problems.
 */
export function checkLoraAgainstBase(lora: GgufLora, base: GgufFile, basePath: string): void {
  if (lora.arch !== base.architecture) {
    throw new AdapterMismatchError(lora.path, basePath, { en: `the adapter is for "${lora.arch}", the model is "${base.architecture}"`, ko: `어댑터는 "${lora.arch}"용인데 모델은 "${base.architecture}"입니다` });
  }
  const problems: string[] = [];
  for (const p of lora.pairs) {
    const w = base.findTensor(`${p.name}.weight`);
    if (!w) problems.push(`${p.name}.weight: not in the model`);
    else if (w.ne[0] !== p.nIn || w.ne[1] !== p.nOut) problems.push(`${p.name}.weight: model ne [${w.ne.join(", ")}], adapter [${p.nIn}, ${p.nOut}]`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? ` (+${problems.length - 5} more)` : "");
    throw new AdapterMismatchError(lora.path, basePath, { en: shown, ko: shown });
  }
}

/** One pair to write: float32 factors, row-major a [r][in] and b [out][r]. */
export interface LoraPairValues {
  name: string;
  nIn: number;
  nOut: number;
  rank: number;
  a: Float32Array;
  b: Float32Array;
}

/** Writes a GGUF LoRA adapter (F32 factors) that llama.cpp and node-llama-cpp load. */
export async function writeGgufLoraFile(path: string, content: { arch: string; alpha: number; name: string; pairs: readonly LoraPairValues[]; extra?: Record<string, string> }): Promise<void> {
  const tensors: GgufTensorInput[] = content.pairs.flatMap((p) => [
    { name: `${p.name}.weight.lora_a`, type: GgmlType.F32, ne: [p.nIn, p.rank], data: p.a },
    { name: `${p.name}.weight.lora_b`, type: GgmlType.F32, ne: [p.rank, p.nOut], data: p.b },
  ]);
  const metadata: Record<string, GgufValue> = {
    "general.architecture": gguf.str(content.arch),
    "general.type": gguf.str("adapter"),
    "general.name": gguf.str(content.name),
    "adapter.type": gguf.str("lora"),
    "adapter.lora.alpha": gguf.f32(content.alpha),
  };
  for (const [k, v] of Object.entries(content.extra ?? {})) metadata[k] = gguf.str(v);
  await writeGguf(path, { metadata, tensors });
}
