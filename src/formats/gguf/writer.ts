// Writes GGUF v3: metadata with each value's own type, tensor infos, then aligned tensor data streamed one tensor at a
// time into a temporary file that is renamed into place only when complete (a crash never leaves a half-written model).
import { GgufWriteError } from "../../errors.js";
import { writeFileAtomically } from "../atomic-file.js";
import { ggmlTypeInfo, isGgmlType, tensorBytes, type GgmlType } from "../tensor-types.js";
import { GGUF_ALIGNMENT_KEY, GGUF_DEFAULT_ALIGNMENT } from "./reader.js";
import { GgufValueTypeId, type GgufArray, type GgufValue } from "./values.js";

/** One tensor to write. */
export interface GgufTensorInput {
  /** GGUF tensor name (at most 63 UTF-8 bytes, unique in the file). */
  name: string;
  /** ggml type of `data`. */
  type: GgmlType;
  /** Shape in ggml order (ne[0] = row length, a multiple of the type's block size); 0 to 4 entries, each >= 1. */
  ne: readonly number[];
  /**
   * The bytes, already in `type` (little-endian), exactly `tensorBytes(type, ne)` long; or a function that returns them
   * when the writer reaches this tensor, so a large model is never held in memory whole.
   */
  data: ArrayBufferView | (() => ArrayBufferView);
}

/** What a GGUF file holds. */
export interface GgufContent {
  /** Key-value pairs in the order they are written (a Map or an object keeps insertion order). */
  metadata: ReadonlyMap<string, GgufValue> | Readonly<Record<string, GgufValue>>;
  tensors: readonly GgufTensorInput[];
}

export interface WriteGgufOptions {
  /**
   * Data alignment in bytes, a power of two. Default: the metadata's `general.alignment`, else 32. When it differs from
   * 32 and the metadata has no `general.alignment`, that key is added (readers would assume 32 otherwise).
   */
  alignment?: number;
}

const fail = (what: string, en: string, ko: string): never => {
  throw new GgufWriteError({ en: `GGUF writer: ${what}: ${en}`, ko: `GGUF 쓰기: ${what}: ${ko}` });
};

/** Collects the header as a list of buffers (typed arrays are wrapped, not copied). */
class Chunks {
  readonly parts: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }
  private scalar(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.allocUnsafe(size);
    write(b);
    this.push(b);
  }
  u32(v: number): void {
    this.scalar(4, (b) => b.writeUInt32LE(v));
  }
  i32(v: number): void {
    this.scalar(4, (b) => b.writeInt32LE(v));
  }
  u64(v: bigint | number): void {
    this.scalar(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  }
  i64(v: bigint | number): void {
    this.scalar(8, (b) => b.writeBigInt64LE(BigInt(v)));
  }
  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  view(v: ArrayBufferView): void {
    this.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
}

function writeScalar(out: Chunks, v: Exclude<GgufValue, { type: "array" }>, key: string): void {
  const b = (size: number, write: (buf: Buffer) => void) => {
    const buf = Buffer.allocUnsafe(size);
    write(buf);
    out.push(buf);
  };
  try {
    switch (v.type) {
      case "uint8": return b(1, (x) => x.writeUInt8(v.value));
      case "int8": return b(1, (x) => x.writeInt8(v.value));
      case "uint16": return b(2, (x) => x.writeUInt16LE(v.value));
      case "int16": return b(2, (x) => x.writeInt16LE(v.value));
      case "uint32": return b(4, (x) => x.writeUInt32LE(v.value));
      case "int32": return b(4, (x) => x.writeInt32LE(v.value));
      case "float32": return b(4, (x) => x.writeFloatLE(v.value));
      case "float64": return b(8, (x) => x.writeDoubleLE(v.value));
      case "uint64": return b(8, (x) => x.writeBigUInt64LE(v.value));
      case "int64": return b(8, (x) => x.writeBigInt64LE(v.value));
      case "bool": return b(1, (x) => x.writeUInt8(v.value ? 1 : 0));
      case "string": return out.string(v.value);
    }
  } catch {
    // Buffer's range checks catch a value that does not fit its declared type (e.g. 300 as uint8).
    fail(`metadata "${key}"`, `value ${String(v.value)} does not fit ${v.type}`, `값 ${String(v.value)}이(가) ${v.type}에 맞지 않습니다`);
  }
}

function writeArray(out: Chunks, a: GgufArray, key: string): void {
  out.i32(GgufValueTypeId[a.itemType]);
  out.u64(a.items.length);
  switch (a.itemType) {
    case "string":
      for (const s of a.items) out.string(s);
      return;
    case "bool":
      out.push(Buffer.from(a.items.map((x) => (x ? 1 : 0))));
      return;
    case "array":
      for (const inner of a.items) writeArray(out, inner, key);
      return;
    default:
      // Typed arrays are stored as-is: GGUF is little-endian, as every platform Node runs on.
      out.view(a.items);
  }
}

function metadataEntries(content: GgufContent): [string, GgufValue][] {
  const m = content.metadata;
  return m instanceof Map ? [...(m as ReadonlyMap<string, GgufValue>)] : Object.entries(m as Record<string, GgufValue>);
}

function resolveAlignment(entries: [string, GgufValue][], requested: number | undefined): number {
  const stored = entries.find(([k]) => k === GGUF_ALIGNMENT_KEY)?.[1];
  if (stored !== undefined && stored.type !== "uint32") {
    fail(GGUF_ALIGNMENT_KEY, `must be a uint32 value, got ${stored.type}`, `uint32 값이어야 하지만 ${stored.type}입니다`);
  }
  const fromMeta = stored?.type === "uint32" ? stored.value : undefined;
  if (requested !== undefined && fromMeta !== undefined && requested !== fromMeta) {
    fail("alignment", `option ${requested} differs from metadata ${GGUF_ALIGNMENT_KEY} = ${fromMeta}`, `옵션 ${requested}이(가) 메타데이터 ${GGUF_ALIGNMENT_KEY} = ${fromMeta}와 다릅니다`);
  }
  const alignment = requested ?? fromMeta ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1 || alignment > 2 ** 31 || (alignment & (alignment - 1)) !== 0) {
    fail("alignment", `${alignment} is not a power of two`, `${alignment}이(가) 2의 거듭제곱이 아닙니다`);
  }
  if (fromMeta === undefined && alignment !== GGUF_DEFAULT_ALIGNMENT) {
    entries.push([GGUF_ALIGNMENT_KEY, { type: "uint32", value: alignment }]);
  }
  return alignment;
}

function checkTensor(t: GgufTensorInput, names: Set<string>): number {
  const what = `tensor "${t.name}"`;
  if (Buffer.byteLength(t.name) > 63) fail(what, "name is longer than 63 bytes", "이름이 63바이트보다 깁니다");
  if (names.has(t.name)) fail(what, "duplicate tensor name", "중복된 텐서 이름");
  names.add(t.name);
  if (!isGgmlType(t.type)) fail(what, `unknown ggml type ${String(t.type)}`, `알 수 없는 ggml 타입 ${String(t.type)}`);
  if (t.ne.length > 4 || t.ne.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    fail(what, `shape [${t.ne.join(", ")}] must have at most 4 dimensions, each >= 1`, `모양 [${t.ne.join(", ")}]은(는) 최대 4차원, 각 차원 1 이상이어야 합니다`);
  }
  const info = ggmlTypeInfo(t.type);
  if ((t.ne[0] ?? 1) % info.blockSize !== 0) {
    fail(what, `row length ${t.ne[0]} is not a multiple of the ${info.name} block size ${info.blockSize}`, `행 길이 ${t.ne[0]}이(가) ${info.name} 블록 크기 ${info.blockSize}의 배수가 아닙니다`);
  }
  return tensorBytes(t.type, t.ne);
}

const padTo = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

/** The header (everything before the tensor data, padded to the alignment) and where each tensor's data goes. */
function encodeHeader(content: GgufContent, options: WriteGgufOptions): { header: Buffer; sizes: number[]; alignment: number } {
  const entries = metadataEntries(content);
  const keys = new Set<string>();
  for (const [k] of entries) {
    if (k.length === 0) fail("metadata", "empty key", "빈 키");
    if (keys.has(k)) fail(`metadata "${k}"`, "duplicate key", "중복된 키");
    keys.add(k);
  }
  const alignment = resolveAlignment(entries, options.alignment);
  const names = new Set<string>();
  const sizes = content.tensors.map((t) => checkTensor(t, names));

  const out = new Chunks();
  out.push(Buffer.from("GGUF", "latin1"));
  out.u32(3);
  out.i64(content.tensors.length);
  out.i64(entries.length);
  for (const [key, v] of entries) {
    out.string(key);
    out.i32(GgufValueTypeId[v.type]);
    if (v.type === "array") writeArray(out, v.value, key);
    else writeScalar(out, v, key);
  }
  let offset = 0;
  content.tensors.forEach((t, i) => {
    out.string(t.name);
    out.u32(t.ne.length);
    for (const d of t.ne) out.i64(d);
    out.i32(t.type);
    out.u64(offset);
    offset = padTo(offset + sizes[i]!, alignment);
  });
  // Like gguf.cpp's writer: the header is padded to the alignment even when no tensor follows.
  out.push(Buffer.alloc(padTo(out.length, alignment) - out.length));
  return { header: Buffer.concat(out.parts, out.length), sizes, alignment };
}

function tensorData(t: GgufTensorInput, size: number): Buffer {
  const v = typeof t.data === "function" ? t.data() : t.data;
  if (v.byteLength !== size) {
    fail(`tensor "${t.name}"`, `data has ${v.byteLength} bytes, ${ggmlTypeInfo(t.type).name} [${t.ne.join(", ")}] needs ${size}`, `데이터가 ${v.byteLength}바이트인데 ${ggmlTypeInfo(t.type).name} [${t.ne.join(", ")}]에는 ${size}바이트가 필요합니다`);
  }
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * Encodes a whole GGUF v3 file in memory (for small models and tests); the content is validated first and a
 * GgufWriteError names the first problem.
 */
export function encodeGguf(content: GgufContent, options: WriteGgufOptions = {}): Buffer {
  const { header, sizes, alignment } = encodeHeader(content, options);
  const parts: Buffer[] = [header];
  content.tensors.forEach((t, i) => {
    const size = sizes[i]!;
    parts.push(tensorData(t, size));
    // Like gguf.cpp's writer: every tensor, the last included, is padded to the alignment.
    parts.push(Buffer.alloc(padTo(size, alignment) - size));
  });
  return Buffer.concat(parts);
}

/**
 * Writes a GGUF v3 file at `path`: validates the content, streams the header and each tensor (producing lazy data one
 * tensor at a time) into a temporary file in the same folder, syncs it, then renames it over `path`.
 */
export async function writeGguf(path: string, content: GgufContent, options: WriteGgufOptions = {}): Promise<void> {
  const { header, sizes, alignment } = encodeHeader(content, options);
  await writeFileAtomically(path, async (fh) => {
    await fh.write(header);
    for (let i = 0; i < content.tensors.length; i++) {
      const size = sizes[i]!;
      await fh.write(tensorData(content.tensors[i]!, size));
      if (padTo(size, alignment) > size) await fh.write(Buffer.alloc(padTo(size, alignment) - size));
    }
  });
}
