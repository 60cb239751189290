// Token positions and output rows of a batch of sequences, with or without virtual tokens in front.
/** Position of every token: 0..T-1 in each of B sequences. */
export function sequencePositions(T: number, B: number): Int32Array {
  const out = new Int32Array(T * B);
  for (let i = 0; i < out.length; i++) out[i] = i % T;
  return out;
}

/** Rows of the T real tokens of each sequence when P virtual tokens precede them. */
export function realTokenRows(T: number, P: number, B: number): Int32Array {
  const out = new Int32Array(T * B);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = b * (T + P) + P + t;
  return out;
}
