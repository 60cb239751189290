// Train / validation / test assignment by document, seeded: documents are ranked by sha256(seed:docId), so the
// assignment does not depend on input order and the same seed always gives the same split.
import { createHash } from "node:crypto";
import type { SplitName } from "./schema.js";

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
  const ranked = [...new Set(docIds)]
    .map((id) => ({ id, key: createHash("sha256").update(`${seed}:${id}`).digest("hex") }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { val, test } = heldOutCounts(ranked.length, ratios);
  const out = new Map<string, SplitName>();
  ranked.forEach(({ id }, i) => out.set(id, i < test ? "test" : i < test + val ? "val" : "train"));
  return out;
}
