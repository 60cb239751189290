// Reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): score(d) = sum over rankings of 1 / (k + rank),
// rank starting at 1. It needs no score calibration between BM25 and cosine, which live on unrelated scales.
import { rankHits, type StoreHit } from "./store.js";

/** The constant k of RRF; 60 is the value of the original paper. */
export const RRF_K = 60;

/** Fuses best-first rankings into one best-first list of the top `limit`, ties by chunk id. */
export function reciprocalRankFusion(rankings: StoreHit[][], limit: number, k = RRF_K): StoreHit[] {
  const fused = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((hit, i) => fused.set(hit.chunkId, (fused.get(hit.chunkId) ?? 0) + 1 / (k + i + 1)));
  }
  return rankHits([...fused].map(([chunkId, score]) => ({ chunkId, score })), limit);
}
