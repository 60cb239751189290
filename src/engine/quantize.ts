// Quantization with ggml's own reference quantizers (ggml_quantize_chunk): the same bytes llama.cpp's quantize tool
// writes, for every block type ggml knows (Q8_0, Q4_0, Q4_K, Q6_K, ...).
import { ShapeError } from "../errors.js";
import { GgmlType, ggmlTypeInfo, rowBytes } from "../formats/gguf/index.js";
import { f32ToBf16Array, f32ToF16Array } from "../formats/quant/half.js";
import type { GgmlApi } from "../native/ggml-bindings.js";
import { loadGgml } from "../native/ggml-runtime.js";

/** Encodes F32 values of rows of `rowLength` elements into `type`. */
export async function encodeTensor(type: GgmlType, values: Float32Array, rowLength: number): Promise<Uint8Array> {
  const needsGgml = ggmlTypeInfo(type).quantized;
  return encodeTensorWith(needsGgml ? (await loadGgml()).api : undefined, type, values, rowLength);
}

/** The same, synchronously, with ggml's API at hand (needed for quantized types only). */
export function encodeTensorWith(api: GgmlApi | undefined, type: GgmlType, values: Float32Array, rowLength: number): Uint8Array {
  if (type === GgmlType.F32) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (type === GgmlType.F16) return new Uint8Array(f32ToF16Array(values).buffer);
  if (type === GgmlType.BF16) return new Uint8Array(f32ToBf16Array(values).buffer);
  const info = ggmlTypeInfo(type);
  if (!info.quantized || !api) throw new ShapeError(`cannot quantize to ${info.name}`);
  if (rowLength % info.blockSize !== 0) {
    throw new ShapeError(`rows of ${rowLength} elements cannot be stored as ${info.name}: it needs a multiple of ${info.blockSize}`);
  }
  const rows = values.length / rowLength;
  const out = new Uint8Array(rows * rowBytes(type, rowLength));
  api.ggml_quantize_chunk(type, values, out, 0, rows, rowLength, null);
  return out;
}
