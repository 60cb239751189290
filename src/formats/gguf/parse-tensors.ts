// Parses and validates GGUF tensor infos: shapes, types and the data layout, with the same rules ggml's
// gguf_init_from_file applies (and a few stricter ones), so a file we accept never makes ggml abort.
import { GGML_TYPES, ggmlTypeInfo, isGgmlType, type GgmlType } from "../tensor-types.js";
import type { Cursor } from "./cursor.js";

/** ggml's tensor name buffer (GGML_MAX_NAME) holds 63 bytes and a terminating zero. */
const MAX_NAME_BYTES = 63;
/** ggml tensors have at most 4 dimensions (GGML_MAX_DIMS). */
const MAX_DIMS = 4;
/** Smallest encoding of one tensor info: u64 name length, u32 n_dims, i32 type, u64 offset. */
export const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Ids ggml once had and removed; named in the error so the user knows the file is from an old converter. */
const REMOVED_TYPES: Readonly<Record<number, string>> = {
  4: "Q4_2", 5: "Q4_3", 31: "Q4_0_4_4", 32: "Q4_0_4_8", 33: "Q4_0_8_8", 36: "IQ4_NL_4_4", 37: "IQ4_NL_4_8", 38: "IQ4_NL_8_8",
};

/** One tensor of a GGUF file, with its data located in the file. */
export interface GgufTensorInfo {
  /** GGUF tensor name, e.g. "blk.0.attn_q.weight". */
  readonly name: string;
  /** Shape in ggml order: ne[0] is the row length (the contiguous dimension); 0 to 4 entries, each >= 1. */
  readonly ne: readonly number[];
  /** ggml type id of the stored data. */
  readonly type: GgmlType;
  /** Offset of the data from the start of the data section, as stored in the file. */
  readonly relativeOffset: number;
  /** Absolute offset of the data in the file. */
  readonly offset: number;
  /** Bytes of data (`ggml_nbytes`), without the alignment padding that follows. */
  readonly byteLength: number;
  /** Number of elements (product of ne). */
  readonly elementCount: number;
}

/** A tensor info before the data section's start is known. */
type Parsed = Omit<GgufTensorInfo, "offset">;

function parseOne(c: Cursor, i: number, alignment: number, names: Set<string>): Parsed {
  const name = c.string(`tensor[${i}] name`);
  const field = `tensor "${name}"`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    c.fail(`${field} name`, `name is longer than ggml's ${MAX_NAME_BYTES} bytes`, `이름이 ggml 한도 ${MAX_NAME_BYTES}바이트보다 깁니다`);
  }
  if (names.has(name)) c.fail(field, "duplicate tensor name", "중복된 텐서 이름");
  names.add(name);

  const nDims = c.u32(`${field} n_dims`);
  if (nDims > MAX_DIMS) {
    c.fail(`${field} n_dims`, `${nDims} dimensions, ggml allows at most ${MAX_DIMS}`, `차원 ${nDims}개, ggml은 최대 ${MAX_DIMS}개까지 허용합니다`);
  }
  const ne: number[] = [];
  let elements = 1n;
  for (let d = 0; d < nDims; d++) {
    const n = c.i64(`${field} ne[${d}]`);
    if (n < 1n || n > MAX_SAFE) {
      c.fail(`${field} ne[${d}]`, `dimension ${n} is not in 1..2^53-1`, `차원 크기 ${n}이(가) 1..2^53-1 범위를 벗어납니다`);
    }
    elements *= n;
    if (elements > MAX_SAFE) {
      c.fail(`${field} shape`, `more than 2^53-1 elements`, `원소가 2^53-1개를 넘습니다`);
    }
    ne.push(Number(n));
  }

  const typeId = c.i32(`${field} type`);
  if (!isGgmlType(typeId)) {
    const removed = REMOVED_TYPES[typeId];
    c.fail(
      `${field} type`,
      removed
        ? `ggml type ${typeId} (${removed}) was removed from ggml; re-convert the model with a current llama.cpp`
        : `unknown ggml type id ${typeId}; known: ${GGML_TYPES.map((t) => `${t.id} ${t.name}`).join(", ")}`,
      removed
        ? `ggml 타입 ${typeId} (${removed})은(는) ggml에서 제거되었습니다. 최신 llama.cpp로 모델을 다시 변환하세요`
        : `알 수 없는 ggml 타입 id ${typeId}`,
    );
  }
  const info = ggmlTypeInfo(typeId);
  const rowLength = ne[0] ?? 1;
  if (rowLength % info.blockSize !== 0) {
    c.fail(
      `${field} ne[0]`,
      `row of ${rowLength} elements is not a multiple of the ${info.name} block size ${info.blockSize}`,
      `행의 원소 ${rowLength}개가 ${info.name} 블록 크기 ${info.blockSize}의 배수가 아닙니다`,
    );
  }
  const bytes = (elements / BigInt(info.blockSize)) * BigInt(info.bytesPerBlock);
  if (bytes > MAX_SAFE) c.fail(`${field} shape`, `data size ${bytes} bytes exceeds 2^53-1`, `데이터 크기 ${bytes}바이트가 2^53-1을 넘습니다`);

  const offset = c.u64(`${field} offset`);
  if (offset > MAX_SAFE) c.fail(`${field} offset`, `offset ${offset} exceeds 2^53-1`, `오프셋 ${offset}이(가) 2^53-1을 넘습니다`);
  if (offset % BigInt(alignment) !== 0n) {
    c.fail(`${field} offset`, `offset ${offset} is not a multiple of the alignment ${alignment}`, `오프셋 ${offset}이(가) 정렬 ${alignment}의 배수가 아닙니다`);
  }
  return { name, ne, type: typeId, relativeOffset: Number(offset), byteLength: Number(bytes), elementCount: Number(elements) };
}

/** Reads `count` tensor infos (count already bounded by the caller). */
export function parseTensorInfos(c: Cursor, count: number, alignment: number): Parsed[] {
  const names = new Set<string>();
  const out: Parsed[] = [];
  for (let i = 0; i < count; i++) out.push(parseOne(c, i, alignment, names));
  return out;
}

const padTo = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

/**
 * Places the tensors in the file and checks the layout. ggml requires each tensor to start exactly where the previous
 * one's padded data ends, in file order (gguf.cpp: "tensor has offset X, expected Y"); an earlier start is an overlap,
 * a later one a gap. Every tensor's data must end inside the file.
 */
export function locateTensors(c: Cursor, parsed: Parsed[], dataOffset: number, alignment: number): GgufTensorInfo[] {
  let expected = 0;
  let previous: Parsed | undefined;
  return parsed.map((t) => {
    const field = `tensor "${t.name}" offset`;
    if (t.relativeOffset < expected) {
      c.fail(
        field,
        `data at ${t.relativeOffset} overlaps tensor "${previous?.name}" (which ends at ${expected}, padded)`,
        `데이터 위치 ${t.relativeOffset}이(가) 텐서 "${previous?.name}"(패딩 포함 ${expected}에서 끝남)와 겹칩니다`,
      );
    }
    if (t.relativeOffset > expected) {
      c.fail(
        field,
        `data at ${t.relativeOffset} leaves a gap after the previous tensor (expected ${expected}); ggml requires tensors packed in file order`,
        `데이터 위치 ${t.relativeOffset}이(가) 이전 텐서 뒤에 빈틈을 남깁니다 (기대값 ${expected}). ggml은 텐서가 파일 순서대로 붙어 있어야 합니다`,
      );
    }
    const offset = dataOffset + t.relativeOffset;
    if (offset + t.byteLength > c.size) {
      c.fail(
        field,
        `tensor data [${offset}, ${offset + t.byteLength}) runs past the end of the file (${c.size} bytes)`,
        `텐서 데이터 [${offset}, ${offset + t.byteLength})이(가) 파일 끝(${c.size}바이트)을 넘습니다`,
      );
    }
    expected = padTo(t.relativeOffset + t.byteLength, alignment);
    previous = t;
    return { ...t, offset };
  });
}
