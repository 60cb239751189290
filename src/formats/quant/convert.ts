// Converts tensor data between float32 and the stored ggml types the engine and the tests meet (F32, F16, BF16, Q8_0,
// Q4_0 both ways; Q4_K and Q6_K to float32 only). Every result is a fresh array: a copy, costing one pass over the data.
import { UnsupportedTensorTypeError } from "../../errors.js";
import { GgmlType, ggmlTypeName, tensorBytes } from "../tensor-types.js";
import { bf16ToF32Array, f16ToF32Array, f32ToBf16Array, f32ToF16Array } from "./half.js";
import { dequantizeQ4_K, dequantizeQ6_K } from "./k-quants.js";
import { dequantizeQ4_0, quantizeQ4_0 } from "./q4_0.js";
import { dequantizeQ8_0, quantizeQ8_0 } from "./q8_0.js";

/** Types `dequantize` reads. */
export const DEQUANTIZABLE_TYPES: readonly GgmlType[] = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K];
/** Types `quantize` writes. */
export const QUANTIZABLE_TYPES: readonly GgmlType[] = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0];

function unsupported(type: GgmlType, op: string, supported: readonly GgmlType[]): never {
  const list = supported.map(ggmlTypeName).join(", ");
  throw new UnsupportedTensorTypeError({
    en: `cannot ${op} ${ggmlTypeName(type)} tensors in TypeScript; supported: ${list}`,
    ko: `${ggmlTypeName(type)} 텐서는 TypeScript에서 ${op === "dequantize" ? "역양자화" : "양자화"}할 수 없습니다. 지원: ${list}`,
  });
}

/** Copies `bytes` into a fresh buffer so typed-array views of it are aligned. */
function aligned(bytes: Uint8Array, length: number): ArrayBuffer {
  return bytes.slice(0, length).buffer as ArrayBuffer;
}

/** Float32 values of `n` elements stored as `type` in `bytes` (e.g. the result of GgufFile.readTensorData). */
export function dequantize(type: GgmlType, bytes: Uint8Array, n: number): Float32Array {
  const need = tensorBytes(type, [n]);
  if (bytes.byteLength < need) throw new RangeError(`dequantize ${ggmlTypeName(type)}: ${n} values need ${need} bytes, got ${bytes.byteLength}`);
  switch (type) {
    case GgmlType.F32: return new Float32Array(aligned(bytes, need));
    case GgmlType.F16: return f16ToF32Array(new Uint16Array(aligned(bytes, need)));
    case GgmlType.BF16: return bf16ToF32Array(new Uint16Array(aligned(bytes, need)));
    case GgmlType.Q8_0: return dequantizeQ8_0(bytes, n);
    case GgmlType.Q4_0: return dequantizeQ4_0(bytes, n);
    case GgmlType.Q4_K: return dequantizeQ4_K(bytes, n);
    case GgmlType.Q6_K: return dequantizeQ6_K(bytes, n);
    default: return unsupported(type, "dequantize", DEQUANTIZABLE_TYPES);
  }
}

/** `values` stored as `type` (bytes ready for a GGUF tensor; quantized types need a multiple of their block size). */
export function quantize(type: GgmlType, values: ArrayLike<number>): Uint8Array {
  switch (type) {
    case GgmlType.F32: return new Uint8Array(Float32Array.from(values).buffer);
    case GgmlType.F16: return new Uint8Array(f32ToF16Array(values).buffer);
    case GgmlType.BF16: return new Uint8Array(f32ToBf16Array(values).buffer);
    case GgmlType.Q8_0: return quantizeQ8_0(values);
    case GgmlType.Q4_0: return quantizeQ4_0(values);
    default: return unsupported(type, "quantize", QUANTIZABLE_TYPES);
  }
}
