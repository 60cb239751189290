// Near-duplicate detection: MinHash signatures over character 5-shingles (which suit Korean, where words carry
// particles and spacing varies) and LSH banding to find candidate pairs without comparing every pair.
//
// Signatures use one-permutation hashing with optimal densification (Li, Owen & Zhang 2012; Shrivastava 2017): each
// shingle is hashed once and falls in one of K bins, so the cost is linear in the text rather than K times it.
// Two signatures agree in a bin with probability equal to the Jaccard similarity of the shingle sets.

/** Bins per signature (K). */
export const SIGNATURE_SIZE = 128;
/** LSH bands × rows = K. With 16 × 8 a pair at Jaccard 0.8 becomes a candidate with probability 1-(1-0.8^8)^16 ≈ 0.95,
 *  at 0.9 ≈ 0.9996, at 0.5 only ≈ 0.06; candidates are then checked against the threshold. */
export const BANDS = 16;
export const ROWS = SIGNATURE_SIZE / BANDS;
export const SHINGLE = 5;
/** Texts with at most this many shingles keep their shingle set, so their candidates are checked exactly. */
export const EXACT_CHECK_MAX_SHINGLES = 256;

const EMPTY = 0xffffffff;

/** murmur3's 32-bit finaliser: a fast, well-mixed bijection on 32-bit integers. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes of the character shingles (UTF-16 code units; whitespace removed first so spacing changes do not count). */
export function shingleHashes(text: string, k = SHINGLE): Uint32Array {
  const s = text.replace(/\s+/g, "");
  if (s.length === 0) return new Uint32Array(0);
  if (s.length <= k) return new Uint32Array([hashRange(s, 0, s.length)]);
  const out = new Uint32Array(s.length - k + 1);
  for (let i = 0; i + k <= s.length; i++) out[i] = hashRange(s, i, i + k);
  return out;
}

function hashRange(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** One-permutation MinHash signature with densification of empty bins. */
export function minhashSignature(shingles: Uint32Array): Uint32Array {
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(EMPTY);
  if (shingles.length === 0) return sig;
  for (let i = 0; i < shingles.length; i++) {
    const h = shingles[i]!;
    // The bin comes from the high bits, the value ranked within it from a second mix, so they are independent.
    const bin = h >>> 25;
    const v = fmix32(h ^ 0x9e3779b9);
    if (v < sig[bin]!) sig[bin] = v;
  }
  // Optimal densification: an empty bin borrows from a non-empty bin chosen by a hash sequence seeded by the
  // bin index, the same for every text, which keeps the collision probability equal to Jaccard.
  const filled = sig.slice();
  for (let bin = 0; bin < SIGNATURE_SIZE; bin++) {
    if (filled[bin] !== EMPTY) continue;
    for (let attempt = 1; ; attempt++) {
      const donor = fmix32((bin * 0x9e3779b1) ^ fmix32(attempt)) % SIGNATURE_SIZE;
      if (filled[donor] !== EMPTY) {
        sig[bin] = filled[donor]!;
        break;
      }
    }
  }
  return sig;
}

export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_SIZE;
}

/** Exact Jaccard similarity of two shingle-hash sets. */
export function exactJaccard(a: Uint32Array, b: Uint32Array): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}

export interface NearDuplicate {
  /** Id of the earlier item this one duplicates. */
  of: number;
  /** Jaccard similarity: exact for short texts, else the signature estimate. */
  jaccard: number;
}

/**
 * An LSH index of signatures. `query` finds an indexed item with Jaccard >= threshold; `add` indexes an item.
 * Memory per item: the signature (512 bytes), 16 band keys, and the shingle set for short texts.
 */
export class LshIndex {
  private readonly bands = Array.from({ length: BANDS }, () => new Map<number, number | number[]>());
  private readonly signatures = new Map<number, Uint32Array>();
  private readonly smallSets = new Map<number, Uint32Array>();

  constructor(readonly threshold: number) {}

  get size(): number {
    return this.signatures.size;
  }

  /** `shingles` is given for short texts only (see EXACT_CHECK_MAX_SHINGLES); long ones compare by signature. */
  query(signature: Uint32Array, shingles?: Uint32Array): NearDuplicate | undefined {
    const tried = new Set<number>();
    let best: NearDuplicate | undefined;
    for (let b = 0; b < BANDS; b++) {
      const bucket = this.bands[b]!.get(bandKey(signature, b));
      if (bucket === undefined) continue;
      for (const id of typeof bucket === "number" ? [bucket] : bucket) {
        if (tried.has(id)) continue;
        tried.add(id);
        const jaccard = this.similarity(id, signature, shingles);
        if (jaccard >= this.threshold && (!best || jaccard > best.jaccard)) best = { of: id, jaccard };
      }
    }
    return best;
  }

  add(id: number, signature: Uint32Array, shingles?: Uint32Array): void {
    this.signatures.set(id, signature);
    if (shingles && shingles.length <= EXACT_CHECK_MAX_SHINGLES) this.smallSets.set(id, shingles);
    for (let b = 0; b < BANDS; b++) {
      const key = bandKey(signature, b);
      const map = this.bands[b]!;
      const bucket = map.get(key);
      if (bucket === undefined) map.set(key, id);
      else if (typeof bucket === "number") map.set(key, [bucket, id]);
      else bucket.push(id);
    }
  }

  private similarity(id: number, signature: Uint32Array, shingles?: Uint32Array): number {
    const small = this.smallSets.get(id);
    if (small && shingles && shingles.length <= EXACT_CHECK_MAX_SHINGLES) return exactJaccard(small, shingles);
    return estimateJaccard(this.signatures.get(id)!, signature);
  }
}

/** The LSH key of one band: a hash of its ROWS signature values. */
export function bandKey(signature: Uint32Array, band: number): number {
  let h = band + 1;
  for (let r = band * ROWS; r < (band + 1) * ROWS; r++) h = fmix32(Math.imul(h, 0x01000193) ^ signature[r]!);
  return h;
}
