// GGUF metadata values with their exact on-disk type, so a value read from a file is written back as the same type,
// plus small constructors for building metadata by hand (`gguf.u32(8)`, `gguf.strings([...])`).

/** GGUF value type ids (`enum gguf_type` in ggml/include/gguf.h). */
export const GgufValueTypeId = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

/** Name of a GGUF value type. */
export type GgufValueType = keyof typeof GgufValueTypeId;

/** A GGUF type whose scalar value is a JS number (64-bit integers are bigints instead, to stay exact). */
export type GgufNumberType = "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32" | "float32" | "float64";
export type GgufBigIntType = "uint64" | "int64";

/** An array value: numeric arrays are typed arrays, strings and bools plain arrays, nested arrays arrays of arrays. */
export type GgufArray =
  | { readonly itemType: "uint8"; readonly items: Uint8Array }
  | { readonly itemType: "int8"; readonly items: Int8Array }
  | { readonly itemType: "uint16"; readonly items: Uint16Array }
  | { readonly itemType: "int16"; readonly items: Int16Array }
  | { readonly itemType: "uint32"; readonly items: Uint32Array }
  | { readonly itemType: "int32"; readonly items: Int32Array }
  | { readonly itemType: "float32"; readonly items: Float32Array }
  | { readonly itemType: "float64"; readonly items: Float64Array }
  | { readonly itemType: "uint64"; readonly items: BigUint64Array }
  | { readonly itemType: "int64"; readonly items: BigInt64Array }
  | { readonly itemType: "bool"; readonly items: readonly boolean[] }
  | { readonly itemType: "string"; readonly items: readonly string[] }
  | { readonly itemType: "array"; readonly items: readonly GgufArray[] };

/** One metadata value with its GGUF type. */
export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number }
  | { readonly type: GgufBigIntType; readonly value: bigint }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "array"; readonly value: GgufArray };

/** Bytes of one scalar of a fixed-size type (strings and arrays have none). */
export const GGUF_SCALAR_BYTES: Readonly<Record<Exclude<GgufValueType, "string" | "array">, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  uint64: 8,
  int64: 8,
  float64: 8,
};

const TYPE_BY_ID = new Map<number, GgufValueType>(
  Object.entries(GgufValueTypeId).map(([name, id]) => [id, name as GgufValueType]),
);

/** The type name of a GGUF value type id, or undefined for an id outside the enum. */
export function ggufValueTypeName(id: number): GgufValueType | undefined {
  return TYPE_BY_ID.get(id);
}

/** Integer ranges, checked by the constructors so a value never wraps silently when written. */
const INT_RANGE: Readonly<Record<"uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32", readonly [number, number]>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

function int<T extends keyof typeof INT_RANGE>(type: T, v: number): { type: T; value: number } {
  const [lo, hi] = INT_RANGE[type];
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${v} is not a valid ${type} (range ${lo}..${hi})`);
  return { type, value: v };
}

function big<T extends GgufBigIntType>(type: T, v: bigint | number): { type: T; value: bigint } {
  const b = BigInt(v);
  const ok = type === "uint64" ? BigInt.asUintN(64, b) === b : BigInt.asIntN(64, b) === b;
  if (!ok) throw new RangeError(`${b} is not a valid ${type}`);
  return { type, value: b };
}

/** Constructors for typed metadata values: `gguf.u32(2048)`, `gguf.f32(1e-5)`, `gguf.strings(tokens)`. */
export const gguf = {
  u8: (v: number): GgufValue => int("uint8", v),
  i8: (v: number): GgufValue => int("int8", v),
  u16: (v: number): GgufValue => int("uint16", v),
  i16: (v: number): GgufValue => int("int16", v),
  u32: (v: number): GgufValue => int("uint32", v),
  i32: (v: number): GgufValue => int("int32", v),
  u64: (v: bigint | number): GgufValue => big("uint64", v),
  i64: (v: bigint | number): GgufValue => big("int64", v),
  /** Stored as float32: the value is rounded to the nearest float32 when written. */
  f32: (v: number): GgufValue => ({ type: "float32", value: Math.fround(v) }),
  f64: (v: number): GgufValue => ({ type: "float64", value: v }),
  bool: (v: boolean): GgufValue => ({ type: "bool", value: v }),
  str: (v: string): GgufValue => ({ type: "string", value: v }),
  /** Any typed array value (`gguf.array({ itemType: "int32", items: Int32Array.from(...) })`). */
  array: (v: GgufArray): GgufValue => ({ type: "array", value: v }),
  strings: (items: readonly string[]): GgufValue => ({ type: "array", value: { itemType: "string", items } }),
  f32s: (items: ArrayLike<number>): GgufValue => ({ type: "array", value: { itemType: "float32", items: Float32Array.from(items) } }),
  i32s: (items: ArrayLike<number>): GgufValue => ({ type: "array", value: { itemType: "int32", items: Int32Array.from(items) } }),
  u32s: (items: ArrayLike<number>): GgufValue => ({ type: "array", value: { itemType: "uint32", items: Uint32Array.from(items) } }),
  bools: (items: readonly boolean[]): GgufValue => ({ type: "array", value: { itemType: "bool", items } }),
} as const;

/** A plain JS view of a value (numbers, bigints, strings, booleans, arrays as plain arrays), e.g. for JSON dumps. */
export function ggufPlain(v: GgufValue): unknown {
  return v.type === "array" ? plainArray(v.value) : v.value;
}

function plainArray(a: GgufArray): unknown[] {
  if (a.itemType === "array") return a.items.map(plainArray);
  return Array.from(a.items as ArrayLike<unknown>);
}
