// Reads a safetensors file: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (name -> {dtype, shape,
// data_offsets}, optional "__metadata__" of strings), then the data buffer. Validated like the reference
// implementation: bounded header, JSON shape, known dtypes, offsets inside the file, sizes that match dtype x shape,
// and ranges that cover the buffer exactly (no holes, no overlaps). Tensor data stays on disk until read.
import { closeSync, fstatSync, openSync } from "node:fs";
import { FileNotFoundError, SafetensorsFormatError, UnsupportedTensorTypeError } from "../../errors.js";
import { readInto, readRange } from "../gguf/source.js";
import { bf16ToF32Array, f16ToF32Array } from "../quant/half.js";
import { FLOAT_DTYPES, isSafetensorsDtype, SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from "./dtypes.js";

/** The reference implementation refuses headers above 100 MB (safetensors' MAX_HEADER_SIZE). */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

/** One tensor of a safetensors file. */
export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  /** Shape in PyTorch order (row-major: the last dimension is contiguous). */
  shape: readonly number[];
  /** Absolute offset of the first byte in the file. */
  offset: number;
  byteLength: number;
  elementCount: number;
}

type Source = { path: string } | { bytes: Uint8Array };

/** A parsed safetensors file: tensor infos in header order, string metadata, and data access by tensor. */
export class SafetensorsFile {
  private readonly byName: ReadonlyMap<string, SafetensorsTensorInfo>;

  constructor(
    /** File name used in messages. */
    readonly file: string,
    /** The `__metadata__` strings (empty when absent). */
    readonly metadata: Readonly<Record<string, string>>,
    /** Tensors in header order. */
    readonly tensors: readonly SafetensorsTensorInfo[],
    /** Absolute offset of the data buffer (8 + header length). */
    readonly dataOffset: number,
    private readonly source: Source,
  ) {
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  findTensor(name: string): SafetensorsTensorInfo | undefined {
    return this.byName.get(name);
  }

  /** The tensor called `name`; a SafetensorsFormatError names it when absent. */
  tensor(name: string): SafetensorsTensorInfo {
    const t = this.byName.get(name);
    if (!t) throw new SafetensorsFormatError(this.file, `tensor "${name}"`, { en: "missing tensor", ko: "텐서가 없습니다" });
    return t;
  }

  /** The raw little-endian bytes of one tensor, in a fresh buffer (byteOffset 0, so typed views are aligned). */
  readTensorData(tensor: SafetensorsTensorInfo | string): Buffer {
    const t = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    if ("bytes" in this.source) return Buffer.from(this.source.bytes.slice(t.offset, t.offset + t.byteLength));
    const fd = openSync(this.source.path, "r");
    try {
      const out = readRange(fd, t.offset, t.byteLength);
      if (out.byteLength < t.byteLength) {
        throw new SafetensorsFormatError(this.file, `tensor "${t.name}"`, {
          en: `the file shrank after it was read: ${t.byteLength} bytes expected at offset ${t.offset}, ${out.byteLength} found`,
          ko: `읽은 뒤 파일이 줄어들었습니다: 오프셋 ${t.offset}에서 ${t.byteLength}바이트를 기대했지만 ${out.byteLength}바이트뿐입니다`,
        });
      }
      return out;
    } finally {
      closeSync(fd);
    }
  }

  /** A floating-point tensor (F32, F16, BF16, F64) as float32 values, row-major. */
  readFloat32(tensor: SafetensorsTensorInfo | string): Float32Array {
    const t = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    const bytes = this.readTensorData(t);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    switch (t.dtype) {
      case "F32": return new Float32Array(buffer);
      case "F16": return f16ToF32Array(new Uint16Array(buffer));
      case "BF16": return bf16ToF32Array(new Uint16Array(buffer));
      case "F64": return Float32Array.from(new Float64Array(buffer));
      default:
        throw new UnsupportedTensorTypeError({
          en: `${this.file}: tensor "${t.name}" is ${t.dtype}; only ${FLOAT_DTYPES.join(", ")} tensors convert to float32`,
          ko: `${this.file}: 텐서 "${t.name}"은(는) ${t.dtype}입니다. float32로 바꿀 수 있는 것은 ${FLOAT_DTYPES.join(", ")}뿐입니다`,
        });
    }
  }
}

function fail(file: string, field: string, en: string, ko: string): never {
  throw new SafetensorsFormatError(file, field, { en, ko });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Checks the header JSON and turns it into tensor infos with absolute offsets. */
function parseHeader(file: string, text: string, dataOffset: number, fileSize: number) {
  if (!text.startsWith("{")) fail(file, "header", `the JSON header must start with "{", found ${JSON.stringify(text.slice(0, 8))}`, `JSON 헤더는 "{"로 시작해야 하지만 ${JSON.stringify(text.slice(0, 8))}입니다`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, "header", `the header is not valid JSON (${(e as Error).message})`, `헤더가 올바른 JSON이 아닙니다 (${(e as Error).message})`);
  }
  if (!isPlainObject(json)) fail(file, "header", "the header must be a JSON object", "헤더는 JSON 객체여야 합니다");

  const metadata: Record<string, string> = {};
  const rawMeta = json[METADATA_KEY];
  if (rawMeta !== undefined) {
    if (!isPlainObject(rawMeta)) fail(file, METADATA_KEY, "must be an object of strings", "문자열 값들의 객체여야 합니다");
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== "string") fail(file, `${METADATA_KEY}.${k}`, `must be a string, found ${typeof v}`, `문자열이어야 하지만 ${typeof v}입니다`);
      metadata[k] = v;
    }
  }

  const bufferSize = fileSize - dataOffset;
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === METADATA_KEY) continue;
    const field = `tensor "${name}"`;
    if (!isPlainObject(entry)) fail(file, field, "must be an object {dtype, shape, data_offsets}", "{dtype, shape, data_offsets} 객체여야 합니다");
    const extra = Object.keys(entry).filter((k) => k !== "dtype" && k !== "shape" && k !== "data_offsets");
    if (extra.length > 0) fail(file, field, `unexpected field(s) ${extra.join(", ")}`, `예상하지 못한 필드 ${extra.join(", ")}`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== "string" || !isSafetensorsDtype(dtype)) {
      const known = Object.keys(SAFETENSORS_DTYPE_BYTES).join(", ");
      fail(file, `${field} dtype`, `unknown dtype ${JSON.stringify(dtype)} (known: ${known})`, `알 수 없는 dtype ${JSON.stringify(dtype)} (지원: ${known})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(file, `${field} shape`, `must be an array of non-negative integers, found ${JSON.stringify(shape)}`, `0 이상의 정수 배열이어야 하지만 ${JSON.stringify(shape)}입니다`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      fail(file, `${field} data_offsets`, `must be [begin, end] with non-negative integers, found ${JSON.stringify(offsets)}`, `0 이상의 정수 [시작, 끝]이어야 하지만 ${JSON.stringify(offsets)}입니다`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin || end > bufferSize) {
      fail(file, `${field} data_offsets`, `[${begin}, ${end}] is not a range inside the ${bufferSize}-byte data buffer`, `[${begin}, ${end}]이(가) ${bufferSize}바이트 데이터 영역 안의 범위가 아닙니다`);
    }
    // BigInt: a hostile shape must not overflow into a plausible size.
    const elements = (shape as number[]).reduce((n, d) => n * BigInt(d), 1n);
    const need = elements * BigInt(SAFETENSORS_DTYPE_BYTES[dtype]);
    if (need !== BigInt(end - begin)) {
      fail(file, `${field}`, `${dtype} [${shape.join(", ")}] needs ${need} bytes but data_offsets give ${end - begin}`, `${dtype} [${shape.join(", ")}]에는 ${need}바이트가 필요하지만 data_offsets는 ${end - begin}바이트입니다`);
    }
    tensors.push({ name, dtype, shape: shape as number[], offset: dataOffset + begin, byteLength: end - begin, elementCount: Number(elements) });
  }

  // Like the reference: sorted by offset, the ranges must tile the buffer from 0 to its end, so no byte is unindexed
  // (that would allow polyglot files) and no two tensors share bytes.
  let expected = dataOffset;
  for (const t of [...tensors].sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength)) {
    if (t.offset !== expected) {
      const what = t.offset < expected ? ["overlaps the tensor before it", "앞 텐서와 겹칩니다"] : [`leaves a hole of ${t.offset - expected} bytes before it`, `앞에 ${t.offset - expected}바이트 빈틈이 있습니다`];
      fail(file, `tensor "${t.name}" data_offsets`, `data starting at ${t.offset - dataOffset} ${what[0]}`, `${t.offset - dataOffset}에서 시작하는 데이터가 ${what[1]}`);
    }
    expected = t.offset + t.byteLength;
  }
  if (expected !== fileSize) {
    fail(file, "data buffer", `the tensors cover ${expected - dataOffset} of the ${bufferSize} data bytes; the rest is unindexed`, `텐서가 데이터 ${bufferSize}바이트 중 ${expected - dataOffset}바이트만 차지합니다. 나머지는 색인되지 않았습니다`);
  }
  return { metadata, tensors };
}

/** Reads the 8-byte length, bounds it, and decodes the header text; returns it with the data offset. */
function headerText(file: string, size: number, read: (offset: number, length: number) => Uint8Array): { text: string; dataOffset: number } {
  if (size < 8) fail(file, "header length", `the file is ${size} bytes, too short for the 8-byte header length`, `파일이 ${size}바이트로 8바이트 헤더 길이보다 짧습니다`);
  const n = Buffer.from(read(0, 8)).readBigUInt64LE(0);
  if (n > BigInt(SAFETENSORS_MAX_HEADER_BYTES)) fail(file, "header length", `${n} bytes exceeds the ${SAFETENSORS_MAX_HEADER_BYTES}-byte limit`, `${n}바이트가 한도 ${SAFETENSORS_MAX_HEADER_BYTES}바이트를 넘습니다`);
  if (n < 2n || 8n + n > BigInt(size)) fail(file, "header length", `${n} bytes does not fit the ${size}-byte file`, `${n}바이트가 ${size}바이트 파일에 맞지 않습니다`);
  const bytes = read(8, Number(n));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    fail(file, "header", "the header is not valid UTF-8", "헤더가 올바른 UTF-8이 아닙니다");
  }
  // Writers pad the header with trailing spaces so the data buffer starts aligned.
  return { text: text.trimEnd(), dataOffset: 8 + Number(n) };
}

/** Parses a safetensors file held in memory; `name` appears in messages. */
export function parseSafetensors(bytes: Uint8Array, name = "<buffer>"): SafetensorsFile {
  const { text, dataOffset } = headerText(name, bytes.byteLength, (o, l) => bytes.subarray(o, o + l));
  const { metadata, tensors } = parseHeader(name, text, dataOffset, bytes.byteLength);
  return new SafetensorsFile(name, metadata, tensors, dataOffset, { bytes });
}

/** Reads and validates a safetensors file's header; tensor data is read on demand. */
export function readSafetensors(path: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new FileNotFoundError(path, "safetensors file");
    throw e;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) fail(path, "file", "not a regular file (a directory?)", "일반 파일이 아닙니다 (폴더인가요?)");
    const read = (offset: number, length: number) => {
      const out = Buffer.allocUnsafeSlow(length);
      return out.subarray(0, readInto(fd, out, offset, length));
    };
    const { text, dataOffset } = headerText(path, stat.size, read);
    const { metadata, tensors } = parseHeader(path, text, dataOffset, stat.size);
    return new SafetensorsFile(path, metadata, tensors, dataOffset, { path });
  } finally {
    closeSync(fd);
  }
}
