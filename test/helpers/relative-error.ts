// ||a - b|| / ||b|| over whole vectors: how gradient tests compare two computations of the same tensor.

/** Relative L2 distance of `actual` from `reference` (Infinity when the reference is all zeros but actual is not). */
export function relativeL2(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (actual.length !== reference.length) throw new Error(`length ${actual.length} vs ${reference.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < reference.length; i++) {
    diff += (actual[i]! - reference[i]!) ** 2;
    norm += reference[i]! ** 2;
  }
  if (norm === 0) return diff === 0 ? 0 : Infinity;
  return Math.sqrt(diff / norm);
}
