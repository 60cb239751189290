// IEEE binary16 (F16) and bfloat16 (BF16) <-> float32, bit-exact with ggml's reference conversions
// (ggml_compute_fp32_to_fp16: round to nearest even, NaN -> 0x7e00; ggml_compute_fp32_to_bf16: round to nearest even,
// NaN made quiet, subnormals kept).

// One float32 scratch slot seen as bits; conversions go through it instead of allocating.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

function bitsOf(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0]!;
}

function floatOf(bits: number): number {
  scratchU32[0] = bits;
  return scratchF32[0]!;
}

/** F16 bits of `x` (first rounded to float32), rounding to nearest even; overflow gives ±inf, NaN gives ±0x7e00. */
export function f32ToF16Bits(x: number): number {
  const w = bitsOf(x);
  const sign = (w >>> 16) & 0x8000;
  const exp = (w >>> 23) & 0xff;
  const mant = w & 0x7fffff;
  if (exp === 0xff) return sign | (mant !== 0 ? 0x7e00 : 0x7c00);
  const halfExp = exp - 127 + 15;
  if (halfExp >= 0x1f) return sign | 0x7c00;
  if (halfExp <= 0) {
    // Subnormal half: value = m * 2^-24 with m = (1.mant as a 24-bit integer) >> (14 - halfExp).
    if (halfExp < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - halfExp;
    let q = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (q & 1) === 1)) q++;
    return sign | q;
  }
  let q = (halfExp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to 0x7c00 (inf) for values at or past 65520: as IEEE requires.
  if (rem > 0x1000 || (rem === 0x1000 && (q & 1) === 1)) q++;
  return sign | q;
}

let f16Table: Float32Array | undefined;

/** All 65,536 F16 values as float32 (256 KiB, built on first use): decoding is one lookup. */
function table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  const u = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) t[h] = (sign ? -1 : 1) * mant * 2 ** -24;
    else if (exp === 0x1f) u[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    else u[h] = (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  }
  return (f16Table = t);
}

/** The value of F16 bits `h` (exact: every F16 value is a float32). */
export function f16BitsToF32(h: number): number {
  return table()[h & 0xffff]!;
}

/** F16 bits of each value of `src`. */
export function f32ToF16Array(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i]!);
  return out;
}

/** The values of F16 bits `src`. */
export function f16ToF32Array(src: ArrayLike<number>): Float32Array {
  const t = table();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]! & 0xffff]!;
  return out;
}

/** BF16 bits of `x` (first rounded to float32): the top 16 bits, rounded to nearest even; NaN keeps its sign, made quiet. */
export function f32ToBf16Bits(x: number): number {
  const u = bitsOf(x);
  if ((u & 0x7fffffff) >>> 0 > 0x7f800000) return (u >>> 16) | 64;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of BF16 bits `h` (exact). */
export function bf16BitsToF32(h: number): number {
  return floatOf(((h & 0xffff) << 16) >>> 0);
}

/** BF16 bits of each value of `src`. */
export function f32ToBf16Array(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToBf16Bits(src[i]!);
  return out;
}

/** The values of BF16 bits `src`. */
export function bf16ToF32Array(src: ArrayLike<number>): Float32Array {
  const out = new Float32Array(src.length);
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) u[i] = ((src[i]! & 0xffff) << 16) >>> 0;
  return out;
}
