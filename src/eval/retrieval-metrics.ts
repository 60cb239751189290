// Retrieval metrics with binary relevance: recall@k, reciprocal rank (MRR when averaged) and nDCG@k.
// A query's result is the ranked list of retrieved ids (best first) and the set of ids judged relevant.

export interface RetrievalJudgement {
  /** Ids the retriever returned, best first. Duplicates count once, at their first rank. */
  retrieved: readonly string[];
  /** Ids judged relevant for the query. */
  relevant: readonly string[];
}

/** Retrieved ids with later duplicates removed, so a document cannot be credited twice. */
function dedupe(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** |relevant in top k| / |relevant|; 0 for a query with no relevant ids. */
export function recallAtK(j: RetrievalJudgement, k: number): number {
  const relevant = new Set(j.relevant);
  if (relevant.size === 0) return 0;
  const hits = dedupe(j.retrieved).slice(0, k).filter((id) => relevant.has(id)).length;
  return hits / relevant.size;
}

/** 1 / rank of the first relevant id (ranks start at 1); 0 when none is retrieved. */
export function reciprocalRank(j: RetrievalJudgement): number {
  const relevant = new Set(j.relevant);
  const rank = dedupe(j.retrieved).findIndex((id) => relevant.has(id));
  return rank < 0 ? 0 : 1 / (rank + 1);
}

/**
 * nDCG@k with binary gains: DCG = sum over ranks i <= k of rel_i / log2(i + 1); the ideal DCG puts all
 * min(|relevant|, k) relevant ids first. 0 for a query with no relevant ids.
 */
export function ndcgAtK(j: RetrievalJudgement, k: number): number {
  const relevant = new Set(j.relevant);
  if (relevant.size === 0) return 0;
  const top = dedupe(j.retrieved).slice(0, k);
  let dcg = 0;
  top.forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(relevant.size, k); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

export interface RetrievalSummary {
  queries: number;
  k: number;
  recallAtK: number;
  mrr: number;
  ndcgAtK: number;
}

/** Means over queries of recall@k, reciprocal rank and nDCG@k. */
export function retrievalSummary(judgements: readonly RetrievalJudgement[], k: number): RetrievalSummary {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const n = judgements.length;
  const mean = (f: (j: RetrievalJudgement) => number) => (n === 0 ? 0 : judgements.reduce((acc, j) => acc + f(j), 0) / n);
  return {
    queries: n,
    k,
    recallAtK: mean((j) => recallAtK(j, k)),
    mrr: mean(reciprocalRank),
    ndcgAtK: mean((j) => ndcgAtK(j, k)),
  };
}
