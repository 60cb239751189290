// Options of the RAG commands as zod schemas: the CLI and the server parse into these; the index saves its own.
import { z } from "zod";
import { ANALYZERS } from "./analyzer.js";

export const RagIndexOptionsSchema = z.object({
  index: z.string().min(1).describe("index folder (embedded SQLite store), or the index name when --store is a postgres:// URL").meta({ ko: "인덱스 폴더 (--store를 주면 인덱스 이름)" }),
  store: z.string().optional().describe("postgres://user:pass@host/db to keep the index in PostgreSQL; default: the embedded store in the index folder").meta({ ko: "인덱스를 PostgreSQL에 저장" }),
  analyzer: z.enum(ANALYZERS).default("morph+bigram").describe("lexical analyzer: Hangul syllable bigrams, particle stripping, or both (morph+bigram had the best measured recall on Korean, README)")
    .meta({ ko: "어휘 분석기" }),
  embedModel: z.string().optional().describe("GGUF embedding model: adds dense vectors, searched with BM25 and fused by reciprocal rank").meta({ ko: "임베딩 모델(BM25와 RRF로 결합)" }),
  rebuild: z.boolean().default(false).describe("drop everything in the index first (needed to change the analyzer or the embedding model)").meta({ ko: "처음부터 다시 색인" }),
  gpu: z.enum(["auto", "cpu", "cuda", "vulkan", "metal"]).default("auto").describe("compute backend for the embedding model"),
});
export type RagIndexOptions = z.input<typeof RagIndexOptionsSchema>;

export const RagSearchOptionsSchema = z.object({
  index: z.string().min(1).describe("index folder, or index name with --store").meta({ ko: "인덱스 폴더 (--store를 주면 인덱스 이름)" }),
  store: z.string().optional().describe("postgres:// URL when the index lives in PostgreSQL").meta({ ko: "인덱스가 PostgreSQL에 있을 때의 postgres:// URL" }),
  k: z.number().int().positive().default(5).describe("number of chunks to return").meta({ ko: "가져올 청크 수" }),
  embedModel: z.string().optional().describe("the embedding model the index was built with; without it an index with vectors is searched lexically only")
    .meta({ ko: "인덱스를 만든 임베딩 모델 (없으면 어휘 검색만)" }),
  thesaurus: z
    .string()
    .default("ko-law")
    .describe('query expansion from everyday words to document wording: "ko-law" (built-in Korean everyday-to-statute list), "none", or a TSV file')
    .meta({ ko: "일상어→법령 용어 확장" }),
  lexical: z.enum(["bm25", "trgm"]).default("bm25").describe("lexical ranking: BM25 (every store), or pg_trgm word similarity (PostgreSQL only)"),
  gpu: z.enum(["auto", "cpu", "cuda", "vulkan", "metal"]).default("auto").describe("compute backend for the embedding model"),
});
export type RagSearchOptions = z.input<typeof RagSearchOptionsSchema>;
