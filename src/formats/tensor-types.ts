// The ggml tensor types (ids, names, block sizes, bytes per block) and the byte size of a tensor or a row.
// Facts from ggml/include/ggml.h (enum ggml_type) and ggml/src/ggml.c (type_traits, sizeof of the block structs in
// ggml-common.h) of the llama.cpp sources bundled with node-llama-cpp 3.21.1 (ggml 0.23.0).

/** ggml type ids as stored in GGUF tensor infos (`enum ggml_type`). Ids 4, 5 and 31-33, 36-38 were removed from ggml. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
  NVFP4: 40,
  Q1_0: 41,
  Q2_0: 42,
} as const;

/** A ggml type id that this table knows. */
export type GgmlType = (typeof GgmlType)[keyof typeof GgmlType];

/** What ggml says about one tensor type. */
export interface GgmlTypeInfo {
  /** Type id (`enum ggml_type`). */
  readonly id: GgmlType;
  /** ggml's own name (`ggml_type_name`), e.g. "q4_K". */
  readonly name: string;
  /** Elements per block (`ggml_blck_size`); 1 for plain types. A row's element count must be a multiple. */
  readonly blockSize: number;
  /** Bytes per block (`ggml_type_size`). */
  readonly bytesPerBlock: number;
  /** Whether the values are block-quantized (`ggml_is_quantized`). */
  readonly quantized: boolean;
}

// [name, id, blockSize, bytesPerBlock, quantized]; block sizes: QK_K = 256, QK4_0 = QK8_0 = 32, QK1_0 = 128, ...
const TABLE: ReadonlyArray<readonly [keyof typeof GgmlType, string, number, number, boolean]> = [
  ["F32", "f32", 1, 4, false],
  ["F16", "f16", 1, 2, false],
  ["Q4_0", "q4_0", 32, 18, true],
  ["Q4_1", "q4_1", 32, 20, true],
  ["Q5_0", "q5_0", 32, 22, true],
  ["Q5_1", "q5_1", 32, 24, true],
  ["Q8_0", "q8_0", 32, 34, true],
  ["Q8_1", "q8_1", 32, 36, true],
  ["Q2_K", "q2_K", 256, 84, true],
  ["Q3_K", "q3_K", 256, 110, true],
  ["Q4_K", "q4_K", 256, 144, true],
  ["Q5_K", "q5_K", 256, 176, true],
  ["Q6_K", "q6_K", 256, 210, true],
  ["Q8_K", "q8_K", 256, 292, true],
  ["IQ2_XXS", "iq2_xxs", 256, 66, true],
  ["IQ2_XS", "iq2_xs", 256, 74, true],
  ["IQ3_XXS", "iq3_xxs", 256, 98, true],
  ["IQ1_S", "iq1_s", 256, 50, true],
  ["IQ4_NL", "iq4_nl", 32, 18, true],
  ["IQ3_S", "iq3_s", 256, 110, true],
  ["IQ2_S", "iq2_s", 256, 82, true],
  ["IQ4_XS", "iq4_xs", 256, 136, true],
  ["I8", "i8", 1, 1, false],
  ["I16", "i16", 1, 2, false],
  ["I32", "i32", 1, 4, false],
  ["I64", "i64", 1, 8, false],
  ["F64", "f64", 1, 8, false],
  ["IQ1_M", "iq1_m", 256, 56, true],
  ["BF16", "bf16", 1, 2, false],
  ["TQ1_0", "tq1_0", 256, 54, true],
  ["TQ2_0", "tq2_0", 256, 66, true],
  ["MXFP4", "mxfp4", 32, 17, true],
  ["NVFP4", "nvfp4", 64, 36, true],
  ["Q1_0", "q1_0", 128, 18, true],
  ["Q2_0", "q2_0", 64, 18, true],
];

const BY_ID = new Map<number, GgmlTypeInfo>(
  TABLE.map(([key, name, blockSize, bytesPerBlock, quantized]) => {
    const id = GgmlType[key];
    return [id, Object.freeze({ id, name, blockSize, bytesPerBlock, quantized })];
  }),
);

/** Every type in the table, in id order. */
export const GGML_TYPES: readonly GgmlTypeInfo[] = Object.freeze([...BY_ID.values()].sort((a, b) => a.id - b.id));

/** Whether `id` is a ggml type this table knows (removed and future ids are not). */
export function isGgmlType(id: number): id is GgmlType {
  return BY_ID.has(id);
}

/** The facts for a type id; throws a RangeError for an id not in the table (callers that read files check first). */
export function ggmlTypeInfo(id: number): GgmlTypeInfo {
  const info = BY_ID.get(id);
  if (!info) throw new RangeError(`unknown ggml type id ${id}`);
  return info;
}

/** ggml's name for a type id ("q8_0"), or `type#<id>` for an id not in the table. */
export function ggmlTypeName(id: number): string {
  return BY_ID.get(id)?.name ?? `type#${id}`;
}

/** The type whose ggml name is `name` (case-insensitive: "Q4_K", "q4_k"), or undefined. */
export function ggmlTypeByName(name: string): GgmlTypeInfo | undefined {
  const lower = name.toLowerCase();
  return GGML_TYPES.find((t) => t.name.toLowerCase() === lower);
}

/** Bytes of one row of `n` elements (`ggml_row_size`); throws a RangeError when `n` is not a multiple of the block size. */
export function rowBytes(type: GgmlType, n: number): number {
  const info = ggmlTypeInfo(type);
  if (!Number.isSafeInteger(n) || n < 0 || n % info.blockSize !== 0) {
    throw new RangeError(`${info.name}: a row of ${n} elements is not a whole number of ${info.blockSize}-element blocks`);
  }
  return (n / info.blockSize) * info.bytesPerBlock;
}

/** Number of elements of a tensor of shape `ne` (ggml order: ne[0] is the row length). */
export function elementCount(ne: readonly number[]): number {
  let n = 1;
  for (const d of ne) n *= d;
  return n;
}

/** Bytes of a contiguous tensor of shape `ne` (`ggml_nbytes`): rows of ne[0] elements times the other dimensions. */
export function tensorBytes(type: GgmlType, ne: readonly number[]): number {
  const rows = ne.length === 0 ? 1 : elementCount(ne.slice(1));
  return rowBytes(type, ne[0] ?? 1) * rows;
}
