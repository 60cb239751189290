// Near-duplicate search over signatures spilled to disk, with the decisions of an in-memory LSH index (`LshIndex`)
// fed the same texts in the same order, but in memory only a few bytes per text.
//
// LSH only ever compares texts that share a band key. So the band keys that occur more than once are found first
// (per band: read every key, sort, keep the repeated ones), and only texts holding such a key are then visited in
// order: checked against the earlier kept ones sharing a key, and indexed if kept. Texts whose keys are all unique
// can have no candidate and be no one's candidate, so they are kept without being read again.
import { BANDS, bandKey, estimateJaccard, exactJaccard, type NearDuplicate } from "./minhash.js";
import type { SignatureStore, StoredText } from "./signature-store.js";

/** Band keys held at once while finding repeated keys (4 bytes each, so 16 MB): bands are done in groups under it. */
const KEY_BUDGET = 4 << 20;
/** Texts read back from disk kept for reuse (about 0.5 KB each). */
const CACHE_TEXTS = 4096;

export interface NearDupPlan {
  /** Jaccard similarity at or above which a text is a near-duplicate of an earlier kept one. */
  threshold: number;
  /** Texts are visited rank by rank (0, 1, ...), in index order within a rank. */
  ranks: number;
  /** Rank of text i, or -1 to leave it out (neither checked nor indexed). */
  rankOf: (i: number) => number;
  /** Called now and then with work done and total work, in texts visited. */
  onProgress?: (done: number, total: number) => void;
  /** Band keys held at once while finding repeated keys (default 4M, 16 MB). */
  keyBudget?: number;
}

/**
 * Visits the texts in plan order; each one is either a near-duplicate of an earlier kept text (reported with
 * onDuplicate: the most similar candidate, the first one found on a tie) or kept. Returns the number reported.
 */
export function findNearDuplicates(store: SignatureStore, plan: NearDupPlan, onDuplicate: (i: number, duplicate: NearDuplicate) => void): number {
  let eligible = 0;
  for (let i = 0; i < store.size; i++) if (plan.rankOf(i) >= 0) eligible++;
  const bandsPerScan = Math.max(1, Math.min(BANDS, Math.floor((plan.keyBudget ?? KEY_BUDGET) / Math.max(1, eligible))));
  const scans = Math.ceil(BANDS / bandsPerScan);
  const total = eligible * (scans + 2);
  let done = 0;
  const tick = () => {
    if (++done % 65536 === 0) plan.onProgress?.(done, total);
  };

  // Repeated band keys, per band (sorted, distinct).
  const repeated: Uint32Array[] = [];
  for (let first = 0; first < BANDS; first += bandsPerScan) {
    const bands = Array.from({ length: Math.min(bandsPerScan, BANDS - first) }, (_, k) => first + k);
    const keys = bands.map(() => new Uint32Array(eligible));
    let e = 0;
    store.scan((i, _tag, signature) => {
      if (plan.rankOf(i) < 0) return;
      bands.forEach((b, k) => (keys[k]![e] = bandKey(signature, b)));
      e++;
      tick();
    });
    keys.forEach((k, idx) => (repeated[bands[idx]!] = repeatedValues(k.sort())));
  }

  // Texts holding at least one repeated key: the only ones that can be a duplicate or have one.
  const involved = new Uint8Array(store.size);
  let anyInvolved = false;
  if (repeated.some((r) => r.length > 0)) {
    store.scan((i, _tag, signature) => {
      if (plan.rankOf(i) < 0) return;
      for (let b = 0; b < BANDS && !involved[i]; b++) if (contains(repeated[b]!, bandKey(signature, b))) involved[i] = 1;
      anyInvolved ||= involved[i] === 1;
      tick();
    });
  } else done += eligible;

  // Visit the involved texts in plan order against an index of the kept ones, under their repeated keys only.
  const buckets = Array.from({ length: BANDS }, () => new Map<number, number[]>());
  const cache = new Map<number, StoredText>();
  const read = (i: number): StoredText => {
    const hit = cache.get(i);
    if (hit) return hit;
    const text = store.get(i);
    if (cache.size >= CACHE_TEXTS) cache.delete(cache.keys().next().value!);
    cache.set(i, text);
    return text;
  };
  const keys = new Uint32Array(BANDS);
  let found = 0;
  for (let rank = 0; rank < plan.ranks; rank++) {
    for (let i = 0; i < store.size; i++) {
      if (plan.rankOf(i) !== rank) continue;
      tick();
      if (!anyInvolved || !involved[i]) continue;
      const text = read(i);
      for (let b = 0; b < BANDS; b++) keys[b] = bandKey(text.signature, b);
      const tried = new Set<number>();
      let best: NearDuplicate | undefined;
      for (let b = 0; b < BANDS; b++) {
        const bucket = buckets[b]!.get(keys[b]!);
        if (!bucket) continue;
        for (const id of bucket) {
          if (tried.has(id)) continue;
          tried.add(id);
          const other = read(id);
          // Exact Jaccard when both texts are short (both shingle sets kept), else the signature estimate.
          const jaccard = text.shingles && other.shingles ? exactJaccard(other.shingles, text.shingles) : estimateJaccard(other.signature, text.signature);
          if (jaccard >= plan.threshold && (!best || jaccard > best.jaccard)) best = { of: id, jaccard };
        }
      }
      if (best) {
        found++;
        onDuplicate(i, best);
        continue;
      }
      for (let b = 0; b < BANDS; b++) {
        if (!contains(repeated[b]!, keys[b]!)) continue;
        const bucket = buckets[b]!.get(keys[b]!);
        if (bucket) bucket.push(i);
        else buckets[b]!.set(keys[b]!, [i]);
      }
    }
  }
  plan.onProgress?.(total, total);
  return found;
}

/** The values that occur more than once in a sorted array, each once. */
function repeatedValues(sorted: Uint32Array): Uint32Array {
  const out: number[] = [];
  for (let k = 1; k < sorted.length; k++) if (sorted[k] === sorted[k - 1] && (k === 1 || sorted[k - 1] !== sorted[k - 2])) out.push(sorted[k]!);
  return Uint32Array.from(out);
}

function contains(sorted: Uint32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === value;
}
