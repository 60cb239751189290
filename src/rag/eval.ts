// `rag eval`: retrieval quality on a question set whose gold answers are citations ("근로기준법 제60조"): recall@k,
// MRR and nDCG@k over the distinct articles retrieved, so an article split into several chunks counts once.
import { z } from "zod";
import { RagInputError } from "../errors.js";
import { RagSearchOptionsSchema, type RagSearchOptions } from "./config.js";
import { ndcgAtK, recallAtK, reciprocalRank } from "../eval/retrieval-metrics.js";
import { RagRetriever, type RetrievalMode } from "./retriever.js";
import { readJsonlWith } from "./jsonl.js";

export const RagQaItemSchema = z.object({
  question: z.string().min(1).describe("the question, as a user would ask it"),
  gold: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('citation(s) that answer it, e.g. "근로기준법 제60조"'),
});
export type RagQaItem = z.infer<typeof RagQaItemSchema>;

/** Whether a chunk's citation is the gold one: equal, or the gold followed by the article title ("제60조(연차 유급휴가)"). */
export function citationMatches(citation: string, gold: string): boolean {
  const c = citation.normalize("NFC");
  const g = gold.normalize("NFC").trim();
  return c === g || c.startsWith(`${g}(`) || c.startsWith(`${g} `);
}

export function readQaFile(file: string): RagQaItem[] {
  const items: RagQaItem[] = [];
  readJsonlWith(file, RagQaItemSchema, (item) => items.push(item));
  return items;
}

export interface RagEvalItemResult {
  question: string;
  gold: string[];
  /** Distinct citations retrieved, best first (k of them at most). */
  retrieved: string[];
  /** Rank of the first gold citation, or null. */
  firstGoldRank: number | null;
}

export interface RagEvalResult {
  k: number;
  questions: number;
  mode: RetrievalMode;
  store: string;
  recallAtK: number;
  mrr: number;
  ndcgAtK: number;
  /** Mean search time per question, milliseconds. */
  meanLatencyMs: number;
  items: RagEvalItemResult[];
}

// Chunks fetched per distinct article wanted: long articles are cut into several chunks that can fill the list.
const CHUNKS_PER_ARTICLE = 4;

/** Runs every question against the index and averages the metrics. */
export async function evalRag(qaFile: string, rawOptions: RagSearchOptions): Promise<RagEvalResult> {
  const options = RagSearchOptionsSchema.parse(rawOptions);
  const qa = readQaFile(qaFile);
  if (qa.length === 0) throw new RagInputError(qaFile, 1, "no questions in the file");
  const retriever = await RagRetriever.open(options);
  try {
    const items: RagEvalItemResult[] = [];
    let recall = 0;
    let mrr = 0;
    let ndcg = 0;
    let time = 0;
    for (const q of qa) {
      const gold = typeof q.gold === "string" ? [q.gold] : q.gold;
      const started = performance.now();
      const hits = await retriever.search(q.question, options.k * CHUNKS_PER_ARTICLE);
      time += performance.now() - started;
      const retrieved = [...new Set(hits.map((h) => h.citation))].slice(0, options.k);
      // Each retrieved citation becomes the gold it matches (or itself), so the metrics count gold articles.
      const ranked = [...new Set(retrieved.map((c) => gold.find((g) => citationMatches(c, g)) ?? `other:${c}`))];
      const judgement = { retrieved: ranked, relevant: gold };
      recall += recallAtK(judgement, options.k);
      const rr = reciprocalRank(judgement);
      mrr += rr;
      ndcg += ndcgAtK(judgement, options.k);
      items.push({ question: q.question, gold, retrieved, firstGoldRank: rr > 0 ? Math.round(1 / rr) : null });
    }
    const n = qa.length;
    return {
      k: options.k,
      questions: n,
      mode: retriever.mode,
      store: retriever.storeDescription,
      recallAtK: recall / n,
      mrr: mrr / n,
      ndcgAtK: ndcg / n,
      meanLatencyMs: time / n,
      items,
    };
  } finally {
    await retriever.close();
  }
}
