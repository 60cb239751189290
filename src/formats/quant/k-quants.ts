// Dequantization of the K-quant super-blocks Q4_K and Q6_K (256 values each), following ggml's dequantize_row_q4_K /
// dequantize_row_q6_K with float32 arithmetic. Layouts (ggml-common.h):
//   block_q4_K, 144 bytes: d F16 | dmin F16 | scales[12] (8 six-bit scales and 8 six-bit mins) | qs[128] (4-bit quants)
//   block_q6_K, 210 bytes: ql[128] (low 4 bits) | qh[64] (high 2 bits) | scales[16] int8 | d F16
import { f16BitsToF32 } from "./half.js";

export const QK_K = 256;
export const Q4_K_BLOCK_BYTES = 144;
export const Q6_K_BLOCK_BYTES = 210;

const fr = Math.fround;

function checkSizes(what: string, bytes: Uint8Array, n: number, blockBytes: number): number {
  if (n % QK_K !== 0) throw new RangeError(`${what}: ${n} values is not a multiple of the super-block size ${QK_K}`);
  const nb = n / QK_K;
  if (bytes.byteLength < nb * blockBytes) throw new RangeError(`${what}: ${n} values need ${nb * blockBytes} bytes, got ${bytes.byteLength}`);
  return nb;
}

/**
 * Scale and min of sub-block j (0..7) of a Q4_K block (ggml's get_scale_min_k4): sub-blocks 0-3 keep theirs in the low
 * 6 bits of bytes j and j + 4; sub-blocks 4-7 split theirs between a nibble of byte j + 4 and the top 2 bits of bytes
 * j - 4 (scale) and j (min).
 */
export function q4kScaleMin(scales: Uint8Array, at: number, j: number): [scale: number, min: number] {
  const q = (i: number) => scales[at + i]!;
  if (j < 4) return [q(j) & 63, q(j + 4) & 63];
  return [(q(j + 4) & 0x0f) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4)];
}

/** Dequantizes `n` values (a multiple of 256) from Q4_K bytes: value = d * scale * q - dmin * min per 32-value sub-block. */
export function dequantizeQ4_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkSizes("dequantizeQ4_K", bytes, n, Q4_K_BLOCK_BYTES);
  const out = new Float32Array(n);
  let y = 0;
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_K_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[o]! | (bytes[o + 1]! << 8));
    const dmin = f16BitsToF32(bytes[o + 2]! | (bytes[o + 3]! << 8));
    let q = o + 16;
    // Each 64 values: 32 low nibbles of qs[q..q+32) with sub-block is, then their 32 high nibbles with sub-block is + 1.
    for (let is = 0; is < 8; is += 2) {
      const [sc1, m1] = q4kScaleMin(bytes, o + 4, is);
      const [sc2, m2] = q4kScaleMin(bytes, o + 4, is + 1);
      const d1 = fr(d * sc1);
      const min1 = fr(dmin * m1);
      const d2 = fr(d * sc2);
      const min2 = fr(dmin * m2);
      for (let l = 0; l < 32; l++) out[y++] = fr(d1 * (bytes[q + l]! & 0x0f)) - min1;
      for (let l = 0; l < 32; l++) out[y++] = fr(d2 * (bytes[q + l]! >> 4)) - min2;
      q += 32;
    }
  }
  return out;
}

/** Dequantizes `n` values (a multiple of 256) from Q6_K bytes: value = d * scale * (q - 32) per 16-value sub-block. */
export function dequantizeQ6_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkSizes("dequantizeQ6_K", bytes, n, Q6_K_BLOCK_BYTES);
  const out = new Float32Array(n);
  for (let b = 0; b < nb; b++) {
    const o = b * Q6_K_BLOCK_BYTES;
    const d = f16BitsToF32(bytes[o + 208]! | (bytes[o + 209]! << 8));
    const sc = (i: number) => ((bytes[o + 192 + i]! << 24) >> 24);
    // Two halves of 128 values; in each, ql[l] and ql[l + 32] give the low nibbles of 4 values, qh[l] their top bits.
    for (let half = 0; half < 2; half++) {
      const ql = o + half * 64;
      const qh = o + 128 + half * 32;
      const s = half * 8;
      const y = b * QK_K + half * 128;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const h = bytes[qh + l]!;
        const q1 = ((bytes[ql + l]! & 0x0f) | (((h >> 0) & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32]! & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l]! >> 4) | (((h >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32]! >> 4) | (((h >> 6) & 3) << 4)) - 32;
        out[y + l] = fr(d * sc(s + is)) * q1;
        out[y + l + 32] = fr(d * sc(s + is + 2)) * q2;
        out[y + l + 64] = fr(d * sc(s + is + 4)) * q3;
        out[y + l + 96] = fr(d * sc(s + is + 6)) * q4;
      }
    }
  }
  return out;
}
