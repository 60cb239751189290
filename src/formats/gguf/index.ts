// Public API of the pure-TypeScript GGUF layer: read (validated, bounded), write (v3, atomic), the ggml type table,
// and the element conversions (F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K) the engine and the tests need.
export { readGguf, parseGguf, GgufFile, GGUF_DEFAULT_ALIGNMENT, GGUF_ALIGNMENT_KEY } from "./reader.js";
export type { GgufTensorInfo } from "./parse-tensors.js";
export { GgufMetadata } from "./metadata.js";
export { readVocabMetadata } from "./vocab.js";
export { writeGguf, encodeGguf, type GgufContent, type GgufTensorInput, type WriteGgufOptions } from "./writer.js";
export {
  gguf,
  ggufPlain,
  ggufValueTypeName,
  GgufValueTypeId,
  type GgufValue,
  type GgufArray,
  type GgufValueType,
  type GgufNumberType,
  type GgufBigIntType,
} from "./values.js";
export {
  GgmlType,
  GGML_TYPES,
  ggmlTypeInfo,
  ggmlTypeName,
  ggmlTypeByName,
  isGgmlType,
  rowBytes,
  tensorBytes,
  elementCount,
  type GgmlTypeInfo,
} from "../tensor-types.js";
export * from "../quant/index.js";
