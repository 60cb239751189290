// Parses the GGUF key-value section into typed values. Every count is checked against the bytes left in the file
// before anything is allocated, so a bogus array length costs an error, not memory.
import type { Cursor } from "./cursor.js";
import { GGUF_SCALAR_BYTES, ggufValueTypeName, type GgufArray, type GgufValue, type GgufValueType } from "./values.js";

/** ggml refuses longer arrays (GGUF_MAX_ARRAY_ELEMENTS in gguf.cpp). */
const MAX_ARRAY_ITEMS = 1024 * 1024 * 1024;
/** Nested arrays are legal GGUF (ggml itself refuses them); the depth is bounded so a crafted file cannot blow the stack. */
const MAX_ARRAY_DEPTH = 8;
/** Smallest encoding of one key-value pair: u64 key length, a 1-byte key, i32 type, a 1-byte value. */
export const MIN_KV_BYTES = 8 + 1 + 4 + 1;

/** Smallest encoding of one item of an array of `type`: strings are a u64 length, arrays an i32 type and a u64 count. */
function minItemBytes(type: GgufValueType): number {
  if (type === "string") return 8;
  if (type === "array") return 12;
  return GGUF_SCALAR_BYTES[type];
}

function valueType(c: Cursor, field: string): GgufValueType {
  const id = c.i32(field);
  const type = ggufValueTypeName(id);
  if (type === undefined) {
    c.fail(field, `unknown value type id ${id} (valid: 0..12)`, `알 수 없는 값 타입 id ${id} (유효 범위: 0..12)`);
  }
  return type;
}

function readScalar(c: Cursor, type: Exclude<GgufValueType, "array">, field: string): GgufValue {
  switch (type) {
    case "uint8": return { type, value: c.u8(field) };
    case "int8": return { type, value: c.i8(field) };
    case "uint16": return { type, value: c.u16(field) };
    case "int16": return { type, value: c.i16(field) };
    case "uint32": return { type, value: c.u32(field) };
    case "int32": return { type, value: c.i32(field) };
    case "float32": return { type, value: c.f32(field) };
    case "float64": return { type, value: c.f64(field) };
    case "uint64": return { type, value: c.u64(field) };
    case "int64": return { type, value: c.i64(field) };
    // ggml reads a bool as an int8 and takes any non-zero byte as true.
    case "bool": return { type, value: c.u8(field) !== 0 };
    case "string": return { type, value: c.string(field) };
  }
}

/** Reads `n` fixed-size items in one copy; the copy starts at byteOffset 0 so typed-array views are aligned. */
function fixedItems(c: Cursor, n: number, size: number, field: string): ArrayBuffer {
  const b = c.bytes(n * size, field);
  return b.buffer as ArrayBuffer;
}

function readArray(c: Cursor, field: string, depth: number): GgufArray {
  if (depth > MAX_ARRAY_DEPTH) {
    c.fail(field, `arrays nested deeper than ${MAX_ARRAY_DEPTH} levels`, `배열이 ${MAX_ARRAY_DEPTH}단계보다 깊게 중첩되었습니다`);
  }
  const itemType = valueType(c, `${field} item type`);
  const count = c.u64(`${field} length`);
  const min = minItemBytes(itemType);
  if (count > BigInt(MAX_ARRAY_ITEMS) || count * BigInt(min) > BigInt(c.remaining)) {
    c.fail(
      `${field} length`,
      `array of ${count} ${itemType} items needs at least ${count * BigInt(min)} bytes but only ${c.remaining} are left`,
      `${itemType} 항목 ${count}개의 배열은 최소 ${count * BigInt(min)}바이트가 필요하지만 ${c.remaining}바이트만 남았습니다`,
    );
  }
  const n = Number(count);
  switch (itemType) {
    case "uint8": return { itemType, items: new Uint8Array(fixedItems(c, n, 1, field)) };
    case "int8": return { itemType, items: new Int8Array(fixedItems(c, n, 1, field)) };
    case "uint16": return { itemType, items: new Uint16Array(fixedItems(c, n, 2, field)) };
    case "int16": return { itemType, items: new Int16Array(fixedItems(c, n, 2, field)) };
    case "uint32": return { itemType, items: new Uint32Array(fixedItems(c, n, 4, field)) };
    case "int32": return { itemType, items: new Int32Array(fixedItems(c, n, 4, field)) };
    case "float32": return { itemType, items: new Float32Array(fixedItems(c, n, 4, field)) };
    case "float64": return { itemType, items: new Float64Array(fixedItems(c, n, 8, field)) };
    case "uint64": return { itemType, items: new BigUint64Array(fixedItems(c, n, 8, field)) };
    case "int64": return { itemType, items: new BigInt64Array(fixedItems(c, n, 8, field)) };
    case "bool": return { itemType, items: Array.from(new Uint8Array(fixedItems(c, n, 1, field)), (b) => b !== 0) };
    case "string": {
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(c.string(`${field}[${i}]`));
      return { itemType, items };
    }
    case "array": {
      const items: GgufArray[] = [];
      for (let i = 0; i < n; i++) items.push(readArray(c, `${field}[${i}]`, depth + 1));
      return { itemType, items };
    }
  }
}

/** Reads `count` key-value pairs (count already bounded by the caller); keys must be non-empty and unique. */
export function parseMetadata(c: Cursor, count: number): Map<string, GgufValue> {
  const kv = new Map<string, GgufValue>();
  for (let i = 0; i < count; i++) {
    const key = c.string(`metadata[${i}] key`);
    if (key.length === 0) c.fail(`metadata[${i}] key`, "empty key", "빈 키");
    if (kv.has(key)) c.fail(`metadata "${key}"`, "duplicate key", "중복된 키");
    const field = `metadata "${key}"`;
    const type = valueType(c, `${field} type`);
    kv.set(key, type === "array" ? { type, value: readArray(c, field, 1) } : readScalar(c, type, field));
  }
  return kv;
}
