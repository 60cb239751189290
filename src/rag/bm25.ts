// Exact Okapi BM25 with SQLite FTS5's bm25() conventions (idf floored at 1e-6, k1 = 1.2, b = 0.75), scored term at
// a time into a dense per-chunk accumulator, then cut to the best k. A query's terms have at most a few hundred
// thousand postings at 100k chunks, so a plain pass over them costs a few milliseconds: no pruning is needed and
// the scores stay exactly those of the formula.
import { readVarint, varintEnd } from "./postings-codec.js";
import { BM25_B, BM25_K1 } from "./store.js";

/** FTS5's idf: ln((N - n + 0.5) / (n + 0.5)), floored at 1e-6 so that a very common term still counts a little. */
export function bm25Idf(chunks: number, documentFrequency: number): number {
  return Math.max(Math.log((chunks - documentFrequency + 0.5) / (documentFrequency + 0.5)), 1e-6);
}

/** Sums BM25 contributions per chunk id; reused across queries (only the touched entries are reset). */
export class Bm25Accumulator {
  private scores = new Float64Array(0);
  private touched: number[] = [];

  /** Starts a query over chunk ids up to maxId. */
  reset(maxId: number): void {
    for (const id of this.touched) this.scores[id] = 0;
    this.touched = [];
    if (this.scores.length <= maxId) this.scores = new Float64Array(maxId + 1);
  }

  /**
   * Adds one term's contribution for every posting of an encoded block (postings-codec.ts). The varint decoding is
   * written out here: this loop is nearly all of a query's time.
   */
  addBlock(data: Uint8Array, idf: number, averageLength: number): void {
    const scores = this.scores;
    const touched = this.touched;
    const end = data.length;
    let at = 0;
    let id = 0;
    // Values below 16384 (one or two bytes) are decoded in place: nearly every gap, tf and length is one.
    while (at < end) {
      let b = data[at++]!;
      if (b >= 0x80) {
        const c = data[at++]!;
        if (c < 0x80) b = (b & 0x7f) | (c << 7);
        else {
          b = readVarint(data, at - 2);
          at = varintEnd(data, at - 2);
        }
      }
      id += b;
      let tf = data[at++]!;
      if (tf >= 0x80) {
        const c = data[at++]!;
        if (c < 0x80) tf = (tf & 0x7f) | (c << 7);
        else {
          tf = readVarint(data, at - 2);
          at = varintEnd(data, at - 2);
        }
      }
      let length = data[at++]!;
      if (length >= 0x80) {
        const c = data[at++]!;
        if (c < 0x80) length = (length & 0x7f) | (c << 7);
        else {
          length = readVarint(data, at - 2);
          at = varintEnd(data, at - 2);
        }
      }
      // Every contribution is > 0 (idf >= 1e-6, tf >= 1), so 0 means "not touched yet".
      if (scores[id] === 0) touched.push(id);
      // Written as FTS5 and the PostgreSQL store write it, so that rounding agrees too.
      scores[id]! += (idf * (tf * (BM25_K1 + 1))) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * length) / averageLength));
    }
  }

  /**
   * The ids whose score is at least the k-th best score: the best k plus every chunk tied with the k-th, so that
   * the caller can break ties by chunk id exactly as every store does.
   */
  best(k: number): { id: number; score: number }[] {
    if (k <= 0 || this.touched.length === 0) return [];
    const threshold = kthLargest(this.touched, this.scores, k);
    const out: { id: number; score: number }[] = [];
    for (const id of this.touched) if (this.scores[id]! >= threshold) out.push({ id, score: this.scores[id]! });
    return out;
  }
}

/** The k-th largest of scores[ids] (the smallest when there are fewer than k), with a bounded min-heap. */
export function kthLargest(ids: readonly number[], scores: Float64Array, k: number): number {
  const size = Math.min(k, ids.length);
  const heap = new Float64Array(size);
  let n = 0;
  for (const id of ids) {
    const s = scores[id]!;
    if (n < size) {
      // Sift up.
      let i = n++;
      heap[i] = s;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! <= heap[i]!) break;
        [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
        i = parent;
      }
    } else if (s > heap[0]!) {
      // Replace the smallest and sift down.
      heap[0] = s;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < size && heap[l]! < heap[m]!) m = l;
        if (r < size && heap[r]! < heap[m]!) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
  }
  return heap[0]!;
}
