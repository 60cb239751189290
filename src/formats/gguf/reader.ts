// Reads a GGUF v2/v3 file: header, metadata and tensor infos are parsed and validated with bounded reads; tensor data
// stays on disk until `readTensorData` reads exactly one tensor's range.
import { openSync, closeSync } from "node:fs";
import { FileNotFoundError, GgufFormatError } from "../../errors.js";
import { Cursor } from "./cursor.js";
import { MIN_KV_BYTES, parseMetadata } from "./parse-metadata.js";
import { locateTensors, MIN_TENSOR_INFO_BYTES, parseTensorInfos, type GgufTensorInfo } from "./parse-tensors.js";
import { GgufMetadata } from "./metadata.js";
import { BufferSource, FileSource, readInto, type ByteSource } from "./source.js";
import type { GgufValue } from "./values.js";

/** ggml's default data alignment (GGUF_DEFAULT_ALIGNMENT) when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** The key that overrides the alignment; it must be a uint32 power of two. */
export const GGUF_ALIGNMENT_KEY = "general.alignment";
const MAGIC = "GGUF";

/** A parsed GGUF file: metadata with typed getters, tensor infos with their place in the file, and data access. */
export class GgufFile extends GgufMetadata {
  private readonly byName: ReadonlyMap<string, GgufTensorInfo>;

  constructor(
    file: string,
    /** GGUF version (2 or 3; they share one layout for little-endian files). */
    readonly version: number,
    metadata: ReadonlyMap<string, GgufValue>,
    /** Tensor infos in file order. */
    readonly tensors: readonly GgufTensorInfo[],
    /** Data alignment in bytes (`general.alignment` or 32). */
    readonly alignment: number,
    /** Absolute offset where the tensor data section starts. */
    readonly dataOffset: number,
    /** File size in bytes when it was read. */
    readonly size: number,
    /** Where tensor data comes from: the path, or the bytes the file was parsed from. */
    private readonly data: { path: string } | { bytes: Uint8Array },
  ) {
    super(file, metadata);
    this.byName = new Map(tensors.map((t) => [t.name, t]));
  }

  /** `general.architecture` ("llama", "qwen2", ...). */
  get architecture(): string {
    return this.getString("general.architecture");
  }

  /** The tensor called `name`, or undefined. */
  findTensor(name: string): GgufTensorInfo | undefined {
    return this.byName.get(name);
  }

  /** The tensor called `name`; throws a GgufFormatError naming it when the file has none. */
  tensor(name: string): GgufTensorInfo {
    const t = this.byName.get(name);
    if (!t) throw new GgufFormatError(this.file, `tensor "${name}"`, { en: "missing tensor", ko: "텐서가 없습니다" });
    return t;
  }

  /**
   * The raw bytes of one tensor, in its ggml type. From a file: a fresh buffer (byteOffset 0, so typed-array views are
   * aligned) holding only that range. From a Buffer: a view that shares memory with it (no copy).
   */
  readTensorData(tensor: GgufTensorInfo | string): Buffer {
    const t = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    if ("bytes" in this.data) return Buffer.from(this.data.bytes.buffer, this.data.bytes.byteOffset + t.offset, t.byteLength);
    const out = Buffer.allocUnsafeSlow(t.byteLength);
    this.readTensorDataInto(t, out);
    return out;
  }

  /**
   * Reads one tensor's bytes straight into `target` (at least `byteLength` bytes), e.g. memory that ggml will own,
   * saving the copy `readTensorData` would make.
   */
  readTensorDataInto(tensor: GgufTensorInfo | string, target: Uint8Array): void {
    const t = typeof tensor === "string" ? this.tensor(tensor) : tensor;
    if (target.byteLength < t.byteLength) {
      throw new RangeError(`readTensorDataInto: tensor "${t.name}" has ${t.byteLength} bytes, the target only ${target.byteLength}`);
    }
    if ("bytes" in this.data) {
      target.set(this.data.bytes.subarray(t.offset, t.offset + t.byteLength));
      return;
    }
    const fd = openSync(this.data.path, "r");
    try {
      const got = readInto(fd, target, t.offset, t.byteLength);
      if (got < t.byteLength) {
        throw new GgufFormatError(this.file, `tensor "${t.name}" data`, {
          en: `the file shrank after it was read: ${t.byteLength} bytes expected at offset ${t.offset}, ${got} found`,
          ko: `읽은 뒤 파일이 줄어들었습니다: 오프셋 ${t.offset}에서 ${t.byteLength}바이트를 기대했지만 ${got}바이트뿐입니다`,
        });
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** Parses everything before the tensor data; throws GgufFormatError on any inconsistency. */
function parse(source: ByteSource, file: string, data: { path: string } | { bytes: Uint8Array }): GgufFile {
  const c: Cursor = new Cursor(source, file);
  if (source.size < 4) c.fail("magic", `file is ${source.size} bytes, too short for a GGUF header`, `파일이 ${source.size}바이트로 GGUF 헤더보다 짧습니다`);
  const magic = source.read(0, 4);
  if (magic.toString("latin1") !== MAGIC) {
    const shown = [...magic].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("");
    c.fail("magic", `expected "GGUF", found "${shown}"`, `"GGUF"여야 하지만 "${shown}"입니다`);
  }
  c.pos = 4;

  const version = c.u32("version");
  if ((version & 0xffff) === 0 && version !== 0) {
    c.fail("version", `version ${version} looks byte-swapped: big-endian GGUF files are not supported`, `버전 ${version}은(는) 바이트 순서가 뒤집힌 것 같습니다: 빅엔디언 GGUF는 지원하지 않습니다`);
  }
  if (version !== 2 && version !== 3) {
    c.fail("version", `GGUF version ${version} is not supported (2 and 3 are)`, `GGUF 버전 ${version}은(는) 지원하지 않습니다 (2와 3 지원)`);
  }

  const nTensors = c.i64("n_tensors");
  const nKv = c.i64("n_kv");
  // Each entry takes a minimum number of bytes, so the counts are bounded by the file size before any loop runs.
  const minBytes = nTensors * BigInt(MIN_TENSOR_INFO_BYTES) + nKv * BigInt(MIN_KV_BYTES);
  if (nTensors < 0n || nKv < 0n || minBytes > BigInt(c.remaining)) {
    c.fail(
      "n_tensors/n_kv",
      `${nTensors} tensors and ${nKv} metadata entries cannot fit in the ${c.remaining} bytes left`,
      `텐서 ${nTensors}개와 메타데이터 ${nKv}개는 남은 ${c.remaining}바이트에 들어갈 수 없습니다`,
    );
  }

  const metadata = parseMetadata(c, Number(nKv));
  const alignValue = metadata.get(GGUF_ALIGNMENT_KEY);
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  if (alignValue !== undefined) {
    if (alignValue.type !== "uint32") {
      c.fail(GGUF_ALIGNMENT_KEY, `must be uint32, found ${alignValue.type}`, `uint32여야 하지만 ${alignValue.type}입니다`);
    }
    alignment = alignValue.value;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      c.fail(GGUF_ALIGNMENT_KEY, `alignment ${alignment} is not a power of two`, `정렬 ${alignment}이(가) 2의 거듭제곱이 아닙니다`);
    }
  }

  const parsed = parseTensorInfos(c, Number(nTensors), alignment);
  // ggml pads to the alignment only when there are tensors (gguf.cpp seeks past the padding only then).
  const dataOffset = parsed.length > 0 ? Math.ceil(c.pos / alignment) * alignment : c.pos;
  c.seek(dataOffset, "data section");
  const tensors = locateTensors(c, parsed, dataOffset, alignment);
  return new GgufFile(file, version, metadata, tensors, alignment, dataOffset, source.size, data);
}

/**
 * Reads and validates a GGUF file's header, metadata and tensor infos; tensor data stays on disk until
 * `readTensorData`. The header is read in 1 MiB windows, so memory use follows the metadata size, not the model size.
 * Strings are decoded as UTF-8 (an invalid sequence becomes U+FFFD). Throws FileNotFoundError for a missing path and
 * GgufFormatError (naming the file and the field) for anything malformed.
 */
export function readGguf(path: string): GgufFile {
  let source: FileSource;
  try {
    source = new FileSource(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new FileNotFoundError(path, "GGUF file");
    throw e;
  }
  try {
    return parse(source, path, { path });
  } finally {
    source.close();
  }
}

/** Parses a GGUF file held in memory; `name` appears in error messages. Tensor data are views of `bytes`. */
export function parseGguf(bytes: Uint8Array, name = "<buffer>"): GgufFile {
  return parse(new BufferSource(bytes), name, { bytes });
}
