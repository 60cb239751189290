// The adapter file of the vector methods (trained biases, learned scaling vectors): a small GGUF of F32 vectors named as
// the method names its tensors, with general.type "adapter", adapter.type <method>, the base's architecture and shape,
// and the method's options as JSON, so the file reloads onto the same base (and refuses any other).
import { AdapterFileError } from "../errors.js";
import type { ModelHparams } from "../arch/hparams.js";
import { GgmlType, gguf, readGguf, writeGguf, type GgufFile } from "../formats/gguf/index.js";

/** One vector of the adapter: its tensor name and length. */
export interface VectorSpec {
  name: string;
  length: number;
}

/** The base shape an adapter was made for: reloading onto another shape is refused. */
const SHAPE_KEYS = ["nLayer", "nEmbd", "nFf", "nHead", "nHeadKv", "headDim"] as const;

export async function writeVectorAdapter(
  file: string,
  method: string,
  hp: ModelHparams,
  options: Record<string, unknown>,
  specs: readonly VectorSpec[],
  values: ReadonlyMap<string, Float32Array>,
): Promise<void> {
  const metadata: Record<string, ReturnType<typeof gguf.str>> = {
    "general.architecture": gguf.str(hp.arch),
    "general.type": gguf.str("adapter"),
    "general.name": gguf.str(`localtune ${method}`),
    "adapter.type": gguf.str(method),
    "adapter.localtune.options": gguf.str(JSON.stringify(options)),
  };
  for (const key of SHAPE_KEYS) metadata[`adapter.localtune.base.${key}`] = gguf.u32(hp[key]);
  const tensors = specs.map((spec) => {
    const data = values.get(spec.name);
    if (!data || data.length !== spec.length) throw new RangeError(`${method} export: ${spec.name} has ${data?.length ?? 0} values, expected ${spec.length}`);
    return { name: spec.name, type: GgmlType.F32, ne: [spec.length], data };
  });
  await writeGguf(file, { metadata, tensors }); // temp file, then rename
}

/** The options stored in an adapter file of `method`, after checking it was made for a base of this shape. */
export function readVectorAdapterOptions(file: string, method: string, hp: ModelHparams): { gguf: GgufFile; options: unknown } {
  let parsed: GgufFile;
  try {
    parsed = readGguf(file);
  } catch (cause) {
    throw new AdapterFileError(file, { en: `not a readable GGUF file (${(cause as Error).message})`, ko: `읽을 수 있는 GGUF 파일이 아닙니다 (${(cause as Error).message})` });
  }
  const type = parsed.getString("adapter.type", "");
  if (parsed.getString("general.type", "") !== "adapter" || type !== method) {
    throw new AdapterFileError(file, { en: `expected a ${method} adapter, found adapter.type "${type || "none"}"`, ko: `${method} 어댑터가 필요한데 adapter.type이 "${type || "없음"}"입니다` });
  }
  if (parsed.architecture !== hp.arch) {
    throw new AdapterFileError(file, { en: `made for a ${parsed.architecture} model, this base is ${hp.arch}`, ko: `${parsed.architecture} 모델용인데 기본 모델은 ${hp.arch}입니다` });
  }
  for (const key of SHAPE_KEYS) {
    const made = parsed.getU32(`adapter.localtune.base.${key}`, -1);
    if (made !== hp[key]) {
      throw new AdapterFileError(file, { en: `made for a base with ${key} = ${made}, this base has ${hp[key]}`, ko: `${key} = ${made}인 모델용인데 기본 모델은 ${hp[key]}입니다` });
    }
  }
  let options: unknown;
  try {
    options = JSON.parse(parsed.getString("adapter.localtune.options"));
  } catch (cause) {
    throw new AdapterFileError(file, { en: `adapter.localtune.options is not JSON (${(cause as Error).message})`, ko: `adapter.localtune.options가 JSON이 아닙니다 (${(cause as Error).message})` });
  }
  return { gguf: parsed, options };
}

/** The vectors of `specs` from an adapter file opened by readVectorAdapterOptions: each must be F32 of the right length. */
export function readVectorAdapterValues(parsed: GgufFile, specs: readonly VectorSpec[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const info = parsed.findTensor(spec.name);
    if (!info || info.type !== GgmlType.F32 || info.elementCount !== spec.length) {
      const found = info ? `${info.elementCount} values of type ${info.type}` : "nothing";
      throw new AdapterFileError(parsed.file, { en: `tensor ${spec.name} should hold ${spec.length} F32 values, found ${found}`, ko: `텐서 ${spec.name}에는 F32 값 ${spec.length}개가 있어야 하는데 ${found === "nothing" ? "없습니다" : found}` });
    }
    const bytes = parsed.readTensorData(info);
    out.set(spec.name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  }
  return out;
}
