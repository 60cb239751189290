// Retrieval metrics over ranked lists with binary relevance: recall@k, MRR and nDCG@k (Järvelin and Kekäläinen 2002,
// gain 1 per relevant item, discount log2(rank + 1)).

/** Share of the relevant items found in the first k results (1 when any of one gold item is found). */
export function recallAtK(ranked: string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  let found = 0;
  for (const id of ranked.slice(0, k)) if (relevant.has(id)) found++;
  return found / relevant.size;
}

/** 1 / rank of the first relevant result, 0 when none is ranked. */
export function reciprocalRank(ranked: string[], relevant: ReadonlySet<string>): number {
  const i = ranked.findIndex((id) => relevant.has(id));
  return i < 0 ? 0 : 1 / (i + 1);
}

/** DCG of the first k results divided by the DCG of an ideal ranking. */
export function ndcgAtK(ranked: string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    if (relevant.has(id)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
  return ideal > 0 ? dcg / ideal : 0;
}
