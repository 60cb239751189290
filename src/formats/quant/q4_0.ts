// Q4_0 blocks (ggml block_q4_0): an F16 scale d then 16 bytes of 4-bit quants; byte j holds element j (low nibble) and
// element j + 16 (high nibble); value = (q - 8) * d; 18 bytes per 32 values.
// Quantization follows ggml's quantize_row_q4_0_ref in float32 arithmetic, so the bytes equal ggml's.
import { f16BitsToF32, f32ToF16Bits } from "./half.js";

export const QK4_0 = 32;
export const Q4_0_BLOCK_BYTES = 18;

const fr = Math.fround;

function checkLength(n: number, what: string): void {
  if (n % QK4_0 !== 0) throw new RangeError(`${what}: ${n} values is not a multiple of the Q4_0 block size ${QK4_0}`);
}

/**
 * Quantizes `x` (length a multiple of 32) to Q4_0 bytes. As in ggml, d = m / -8 where m is the value of largest
 * magnitude (with its sign), so m maps exactly to q = 0 and the other end of the range gets the finer steps.
 */
export function quantizeQ4_0(x: ArrayLike<number>): Uint8Array {
  checkLength(x.length, "quantizeQ4_0");
  const nb = x.length / QK4_0;
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK4_0;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK4_0; j++) {
      const v = fr(x[base + j]!);
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d !== 0 ? fr(1 / d) : 0;
    const o = b * Q4_0_BLOCK_BYTES;
    view.setUint16(o, f32ToF16Bits(d), true);
    // (int8_t)(x0 + 8.5f) truncates toward zero; `| 0` does the same (and maps NaN to 0).
    const quant = (v: number) => Math.min(15, fr(fr(fr(v) * id) + 8.5) | 0);
    for (let j = 0; j < QK4_0 / 2; j++) out[o + 2 + j] = quant(x[base + j]!) | (quant(x[base + j + 16]!) << 4);
  }
  return out;
}

/** Dequantizes `n` values (a multiple of 32) from Q4_0 bytes: value = (q - 8) * d. */
export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  checkLength(n, "dequantizeQ4_0");
  const nb = n / QK4_0;
  if (bytes.byteLength < nb * Q4_0_BLOCK_BYTES) throw new RangeError(`dequantizeQ4_0: ${n} values need ${nb * Q4_0_BLOCK_BYTES} bytes, got ${bytes.byteLength}`);
  const out = new Float32Array(n);
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[o]! | (bytes[o + 1]! << 8));
    for (let j = 0; j < QK4_0 / 2; j++) {
      const q = bytes[o + 2 + j]!;
      out[b * QK4_0 + j] = ((q & 0x0f) - 8) * d;
      out[b * QK4_0 + j + 16] = ((q >> 4) - 8) * d;
    }
  }
  return out;
}
