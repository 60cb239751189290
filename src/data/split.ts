// Train / validation / test assignment by document, seeded: documents are ranked by sha256(seed:docId), so the
// assignment does not depend on input order and the same seed always gives the same split.
import { createHash } from "node:crypto";
import { SPLIT_NAMES, type SplitName } from "./schema.js";

export interface SplitRatios {
  val: number;
  test: number;
}

/**
 * Number of documents per held-out split: the ratio rounded, but at least one each when there are 3 or more
 * documents and the ratio is not zero (a held-out split with no document cannot measure anything).
 */
export function heldOutCounts(n: number, ratios: SplitRatios): { val: number; test: number } {
  const pick = (r: number) => (r <= 0 ? 0 : Math.max(n >= 3 ? 1 : 0, Math.round(n * r)));
  const test = pick(ratios.test);
  const val = Math.min(pick(ratios.val), Math.max(0, n - test - 1));
  return { val, test: Math.min(test, Math.max(0, n - 1)) };
}

/** Split of every document id. */
export function assignSplits(docIds: Iterable<string>, ratios: SplitRatios, seed: number): Map<string, SplitName> {
  const ids = [...docIds];
  const index = splitIndexes(ids.length, (i) => ids[i]!, ratios, seed);
  return new Map(ids.map((id, i) => [id, SPLIT_NAMES[index[i]!]!]));
}

/**
 * Split (index into SPLIT_NAMES) of the ids 0..count-1, an id listed twice counted once. Only 8 bytes of each rank
 * key are kept (full keys are recomputed on a tie), so a million documents take about 20 MB while ranking.
 */
export function splitIndexes(count: number, idAt: (i: number) => string, ratios: SplitRatios, seed: number): Uint8Array {
  const fullKey = (i: number) => createHash("sha256").update(`${seed}:${idAt(i)}`).digest();
  const keys = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const digest = fullKey(i);
    keys[2 * i] = digest.readUInt32BE(0);
    keys[2 * i + 1] = digest.readUInt32BE(4);
  }
  // Big-endian words compare like the hex strings they print as.
  const order = new Uint32Array(count).map((_, i) => i);
  order.sort((a, b) => keys[2 * a]! - keys[2 * b]! || keys[2 * a + 1]! - keys[2 * b + 1]! || Buffer.compare(fullKey(a), fullKey(b)));
  const samePrefix = (a: number, b: number) => keys[2 * a] === keys[2 * b] && keys[2 * a + 1] === keys[2 * b + 1];
  // Rank of each position in the sorted order among distinct ids.
  const rank = new Uint32Array(count);
  let distinct = 0;
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    const prev = k > 0 ? order[k - 1]! : -1;
    if (prev < 0 || !samePrefix(prev, i) || idAt(prev) !== idAt(i)) distinct++;
    rank[k] = distinct - 1;
  }
  const { val, test } = heldOutCounts(distinct, ratios);
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const r = rank[k]!;
    out[order[k]!] = SPLIT_NAMES.indexOf(r < test ? "test" : r < test + val ? "val" : "train");
  }
  return out;
}
