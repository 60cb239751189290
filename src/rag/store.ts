// What every RAG index store provides (embedded SQLite on disk, or PostgreSQL): chunks, their lexical terms and
// optional vectors, per-source content hashes for incremental re-indexing, and the two searches.
import type { AnalyzerName } from "./analyzer.js";

/** BM25 parameters: SQLite FTS5's defaults, used by both stores (bm25.ts, postgres-store.ts) so that they rank alike. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

/** The text a chunk is indexed and embedded by: its citation (law name, article title) and its body. */
export function chunkSearchText(citation: string, text: string): string {
  return `${citation}\n${text}`;
}

/** Settings an index is built with; a search must use the same ones. */
export interface IndexMeta {
  /** Version of the index layout. */
  formatVersion: number;
  analyzer: AnalyzerName;
  /** Embedding model, when the index holds vectors. */
  embedding?: { model: string; fingerprint: string; dimensions: number };
}

/** A chunk as stored: the dataset record's fields that retrieval and citation need. */
export interface StoredChunk {
  /** Record id, "<docId>#<n>". */
  chunkId: string;
  source: string;
  headingPath: string[];
  citation: string;
  text: string;
  /** Index terms of citation + text (analyzer output). */
  terms: string[];
  /** Unit-length embedding [dimensions], when the index has an embedding model. */
  embedding?: Float32Array;
}

/** One search result before fusion: higher score is better. */
export interface StoreHit {
  chunkId: string;
  score: number;
}

export interface RagStore {
  /** "sqlite" for the embedded file, "postgres" for a server. */
  readonly kind: "sqlite" | "postgres";
  /** Human-readable description of the search paths in use (for example "pgvector" or "exact scan over real[]"). */
  describe(): Promise<string>;
  readMeta(): Promise<IndexMeta | undefined>;
  writeMeta(meta: IndexMeta): Promise<void>;
  /** Runs `work` as one transaction: an index update is all or nothing, and one commit is much faster than many. */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /** source -> content hash of every indexed source. */
  listSources(): Promise<Map<string, string>>;
  /** Replaces all chunks of a source (deleting the old ones) and records its hash; atomic on its own or within atomically(). */
  replaceSource(source: string, hash: string, chunks: StoredChunk[]): Promise<void>;
  removeSource(source: string): Promise<void>;
  /** Removes every chunk and source (a rebuild); atomic on its own or within atomically(). */
  clear(): Promise<void>;
  countChunks(): Promise<number>;
  /** BM25 over the distinct query terms, best first; ties by chunk id. */
  lexicalSearch(terms: string[], k: number): Promise<StoreHit[]>;
  /** pg_trgm word similarity of the raw question to each chunk, best first (PostgreSQL only). */
  trigramSearch?(question: string, k: number): Promise<StoreHit[]>;
  /** Cosine similarity to a unit query vector, best first. */
  vectorSearch(query: Float32Array, k: number): Promise<StoreHit[]>;
  getChunks(chunkIds: string[]): Promise<Map<string, Omit<StoredChunk, "terms" | "embedding">>>;
  close(): Promise<void>;
  /** What opening the store recovered from (a stale lock of a killed process), for the user; both languages. */
  readonly notes?: readonly string[];
}

/**
 * The query terms worth looking up: BM25's idf, ln((N - n + 0.5) / (n + 0.5)), is floored at 1e-6 (FTS5) once a term
 * is in half the chunks or more, so such a term adds at most ~2e-6 to any score while its postings are the longest to
 * read. Dropping it changes scores by that much and makes queries much faster on large indexes. When every term is
 * that common, all are kept.
 */
export function selectiveTerms(distinct: string[], documentFrequency: ReadonlyMap<string, number>, chunks: number): string[] {
  const kept = distinct.filter((t) => (documentFrequency.get(t) ?? 0) < chunks / 2);
  return kept.length > 0 ? kept : distinct;
}

/** Sorts hits best first, ties by chunk id, so that every store returns the same order on the same data. */
export function rankHits(hits: StoreHit[], k: number): StoreHit[] {
  return hits
    .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0))
    .slice(0, k);
}
