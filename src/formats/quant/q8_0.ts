// Q8_0 blocks (ggml block_q8_0): 32 values as an F16 scale d then 32 int8 quants, value = q * d; 34 bytes per block.
// Quantization follows ggml's quantize_row_q8_0_ref in float32 arithmetic, so the bytes equal ggml's.
import { f16BitsToF32, f32ToF16Bits } from "./half.js";

export const QK8_0 = 32;
export const Q8_0_BLOCK_BYTES = 34;

const fr = Math.fround;
/** C's roundf: halves away from zero. */
const roundAway = (v: number) => (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));

function checkLength(n: number, what: string): void {
  if (n % QK8_0 !== 0) throw new RangeError(`${what}: ${n} values is not a multiple of the Q8_0 block size ${QK8_0}`);
}

/** Quantizes `x` (length a multiple of 32) to Q8_0 bytes: d = amax / 127 (stored as F16), q = round(x / d). */
export function quantizeQ8_0(x: ArrayLike<number>): Uint8Array {
  checkLength(x.length, "quantizeQ8_0");
  const nb = x.length / QK8_0;
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK8_0;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(fr(x[base + j]!)));
    const d = fr(amax / 127);
    const id = d !== 0 ? fr(1 / d) : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    view.setUint16(o, f32ToF16Bits(d), true);
    for (let j = 0; j < QK8_0; j++) view.setInt8(o + 2 + j, roundAway(fr(fr(x[base + j]!) * id)));
  }
  return out;
}

/** Dequantizes `n` values (a multiple of 32) from Q8_0 bytes: value = q * d. */
export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  checkLength(n, "dequantizeQ8_0");
  const nb = n / QK8_0;
  if (bytes.byteLength < nb * Q8_0_BLOCK_BYTES) throw new RangeError(`dequantizeQ8_0: ${n} values need ${nb * Q8_0_BLOCK_BYTES} bytes, got ${bytes.byteLength}`);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nb; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    const d = f16BitsToF32(view.getUint16(o, true));
    for (let j = 0; j < QK8_0; j++) out[b * QK8_0 + j] = view.getInt8(o + 2 + j) * d;
  }
  return out;
}
