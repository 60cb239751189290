// Retrieval over an open index: BM25 on the analyzed question, cosine on its embedding when the index has vectors
// and the same embedding model is given, fused by reciprocal rank. `rag search`, `rag ask` and `rag eval` share it.
import { InvalidConfigError, RagIndexEmptyError, RagIndexMismatchError } from "../errors.js";
import { analyze } from "./analyzer.js";
import { RagSearchOptionsSchema, type RagSearchOptions } from "./config.js";
import { createEmbedder, type Embedder } from "./embed.js";
import { reciprocalRankFusion } from "./fusion.js";
import { indexLabel, openRagStore } from "./open-store.js";
import type { IndexMeta, RagStore, StoreHit } from "./store.js";
import { BUILTIN_THESAURUS, expandQuery, readThesaurus, type Thesaurus } from "./thesaurus.js";

/** One retrieved chunk with where it comes from and why it ranked. */
export interface RagHit {
  rank: number;
  chunkId: string;
  source: string;
  headingPath: string[];
  citation: string;
  text: string;
  /** The ranking score: BM25 (lexical only), trigram word similarity (trgm), or the RRF score (hybrid). */
  score: number;
  /** Each retriever's own score, where it found the chunk. */
  scores: { bm25?: number; trgm?: number; cosine?: number };
}

export type RetrievalMode = "bm25" | "trgm" | "bm25+vector" | "trgm+vector";

// Each retriever contributes this many candidates per requested hit before fusion: RRF rewards agreement, and a
// chunk ranked 6th by BM25 but 1st by vectors must be in both candidate lists to be found.
const FUSION_DEPTH = 4;

export class RagRetriever {
  private constructor(
    private readonly store: RagStore,
    readonly meta: IndexMeta,
    private readonly embedder: Embedder | undefined,
    private readonly lexical: "bm25" | "trgm",
    private readonly thesaurus: Thesaurus,
    /** Store and search paths in use, for the user. */
    readonly storeDescription: string,
  ) {}

  /** Opens the index for searching; fails clearly when it is missing, empty, or built with another embedding model. */
  static async open(rawOptions: Omit<RagSearchOptions, "k">): Promise<RagRetriever> {
    const options = RagSearchOptionsSchema.parse(rawOptions);
    const label = indexLabel(options.index, options.store);
    const store = await openRagStore(options.index, options.store, false);
    let embedder: Embedder | undefined;
    try {
      const meta = await store.readMeta();
      if (!meta) throw new RagIndexEmptyError(label, "missing");
      if ((await store.countChunks()) === 0) throw new RagIndexEmptyError(label, "empty");
      if (options.lexical === "trgm" && store.kind !== "postgres") {
        throw new InvalidConfigError({
          en: "--lexical trgm needs the PostgreSQL store (pg_trgm); the embedded store ranks by BM25.",
          ko: "--lexical trgm은 PostgreSQL 저장소(pg_trgm)에서만 됩니다. 내장 저장소는 BM25로 순위를 매깁니다.",
        });
      }
      if (options.embedModel) {
        if (!meta.embedding) {
          throw new RagIndexMismatchError(label, "embedding model", "none (lexical only)", options.embedModel, {
            en: "Search without --embed-model, or rebuild the index with it: localtune rag index ... --embed-model M --rebuild",
            ko: "--embed-model 없이 검색하거나, 그 모델로 인덱스를 다시 만드세요: localtune rag index ... --embed-model M --rebuild",
          });
        }
        embedder = await createEmbedder(options.embedModel, { gpu: options.gpu });
        const built = meta.embedding;
        if (built.fingerprint !== embedder.fingerprint || built.dimensions !== embedder.dimensions) {
          throw new RagIndexMismatchError(
            label,
            "embedding model",
            `${built.model} (${built.dimensions} dimensions, fingerprint ${built.fingerprint})`,
            `${embedder.model} (${embedder.dimensions} dimensions, fingerprint ${embedder.fingerprint})`,
            {
              en: "Search with the model the index was built with, or rebuild the index with this one (--rebuild).",
              ko: "인덱스를 만든 모델로 검색하거나, 이 모델로 인덱스를 다시 만드세요 (--rebuild).",
            },
          );
        }
      }
      const thesaurus: Thesaurus =
        options.thesaurus === "none" ? new Map() : readThesaurus(options.thesaurus === "ko-law" ? BUILTIN_THESAURUS : options.thesaurus);
      return new RagRetriever(store, meta, embedder, options.lexical, thesaurus, await store.describe());
    } catch (error) {
      await embedder?.dispose();
      await store.close();
      throw error;
    }
  }

  get mode(): RetrievalMode {
    return this.embedder ? `${this.lexical}+vector` : this.lexical;
  }

  /** The k best chunks for a question. */
  async search(question: string, k: number): Promise<RagHit[]> {
    const depth = this.embedder ? k * FUSION_DEPTH : k;
    const lexicalHits =
      this.lexical === "trgm"
        ? await this.store.trigramSearch!(question, depth)
        : await this.store.lexicalSearch(analyze(expandQuery(question, this.thesaurus), this.meta.analyzer), depth);
    let ranked: StoreHit[] = lexicalHits;
    let vectorHits: StoreHit[] = [];
    if (this.embedder) {
      vectorHits = await this.store.vectorSearch(await this.embedder.embed(question), depth);
      ranked = reciprocalRankFusion([lexicalHits, vectorHits], k);
    }
    const chunks = await this.store.getChunks(ranked.map((h) => h.chunkId));
    const lexicalScore = new Map(lexicalHits.map((h) => [h.chunkId, h.score]));
    const vectorScore = new Map(vectorHits.map((h) => [h.chunkId, h.score]));
    return ranked.flatMap((hit, i) => {
      const chunk = chunks.get(hit.chunkId);
      if (!chunk) return [];
      const lex = lexicalScore.get(hit.chunkId);
      const cos = vectorScore.get(hit.chunkId);
      return [
        {
          rank: i + 1,
          ...chunk,
          score: hit.score,
          scores: {
            ...(lex !== undefined ? { [this.lexical]: lex } : {}),
            ...(cos !== undefined ? { cosine: cos } : {}),
          },
        },
      ];
    });
  }

  async close(): Promise<void> {
    await this.embedder?.dispose();
    await this.store.close();
  }
}

export interface RagSearchResult {
  question: string;
  mode: RetrievalMode;
  store: string;
  hits: RagHit[];
}

/** `rag search`: opens the index, retrieves the k best chunks, closes. */
export async function searchRag(question: string, rawOptions: RagSearchOptions): Promise<RagSearchResult> {
  const options = RagSearchOptionsSchema.parse(rawOptions);
  const retriever = await RagRetriever.open(options);
  try {
    return { question, mode: retriever.mode, store: retriever.storeDescription, hits: await retriever.search(question, options.k) };
  } finally {
    await retriever.close();
  }
}
