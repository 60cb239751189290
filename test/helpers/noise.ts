// Deterministic test values: the same on every machine and run, so adapters and perturbations built from them are too.

/** `count` values in [-scale, scale) from a xorshift32 stream started at `seed`. */
export function xorshiftNoise(count: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}
