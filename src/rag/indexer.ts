// `rag index`: analyzes chunks, embeds them when an embedding model is given, and writes only what changed: sources
// whose content hash differs are replaced, sources no longer among the inputs are removed, the rest are kept.
import { LocaltuneError, RagIndexMismatchError } from "../errors.js";
import { analyze } from "./analyzer.js";
import { RagIndexOptionsSchema, type RagIndexOptions } from "./config.js";
import { createEmbedder, type Embedder } from "./embed.js";
import { indexLabel, openRagStore } from "./open-store.js";
import { readSources } from "./sources.js";
import { chunkSearchText, type IndexMeta, type StoredChunk } from "./store.js";

/** 2: the embedded store keeps its own BM25 inverted lists instead of FTS5 (the PostgreSQL layout is unchanged). */
export const RAG_INDEX_FORMAT_VERSION = 2;

export interface RagIndexReport {
  /** Chunks in the index after the run. */
  chunks: number;
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  /** Inputs or records left out, each with the reason. */
  skipped: string[];
  /** Store and search paths in use. */
  store: string;
  /** What opening the index recovered from (a stale lock left by a killed process), in both languages. */
  notes: string[];
  meta: IndexMeta;
  seconds: number;
}

export interface RagIndexProgress {
  done: number;
  total: number;
  source: string;
}

/** Builds or updates the index at options.index from `inputs` (dataset folders, document folders, files). */
export async function indexRag(
  inputs: string[],
  rawOptions: RagIndexOptions,
  onProgress?: (p: RagIndexProgress) => void,
): Promise<RagIndexReport> {
  const options = RagIndexOptionsSchema.parse(rawOptions);
  const started = performance.now();
  if (inputs.length === 0) {
    throw new LocaltuneError({
      en: "rag index needs at least one input: a prepared dataset folder, a folder of .md/.txt files, or files.",
      ko: "rag index에는 입력이 하나 이상 필요합니다: 준비된 데이터셋 폴더, .md/.txt 파일 폴더, 또는 파일.",
    });
  }
  const { groups, skipped } = readSources(inputs);
  const label = indexLabel(options.index, options.store);
  const store = await openRagStore(options.index, options.store, true);
  let embedder: Embedder | undefined;
  try {
    embedder = options.embedModel ? await createEmbedder(options.embedModel, { gpu: options.gpu }) : undefined;
    const meta: IndexMeta = {
      formatVersion: RAG_INDEX_FORMAT_VERSION,
      analyzer: options.analyzer,
      ...(embedder ? { embedding: { model: embedder.model, fingerprint: embedder.fingerprint, dimensions: embedder.dimensions } } : {}),
    };
    const report = await store.atomically(async (): Promise<RagIndexReport> => {
      let known = await store.listSources();
      const previous = await store.readMeta();
      if (options.rebuild) {
        await store.clear();
        known = new Map();
      } else if (previous) {
        checkSameSettings(label, previous, meta);
      }
      await store.writeMeta(meta);

      const report: RagIndexReport = { chunks: 0, added: [], updated: [], removed: [], unchanged: 0, skipped, store: await store.describe(), notes: [...(store.notes ?? [])], meta, seconds: 0 };
      const seenIds = new Set<string>();
      let done = 0;
      for (const group of groups) {
        onProgress?.({ done: done++, total: groups.length, source: group.source });
        const old = known.get(group.source);
        // Ids of unchanged sources still count as taken, so a duplicate elsewhere is caught.
        if (old === group.hash) {
          for (const r of group.records) seenIds.add(r.id);
          report.unchanged++;
          continue;
        }
        const chunks: StoredChunk[] = [];
        for (const r of group.records) {
          if (seenIds.has(r.id)) {
            skipped.push(`${group.source}: chunk ${r.id} repeats an id already indexed (same content under two sources)`);
            continue;
          }
          seenIds.add(r.id);
          const text = chunkSearchText(r.citation, r.text);
          chunks.push({
            chunkId: r.id,
            source: r.source,
            headingPath: r.headingPath,
            citation: r.citation,
            text: r.text,
            terms: analyze(text, options.analyzer),
            ...(embedder ? { embedding: await embedder.embed(text) } : {}),
          });
        }
        await store.replaceSource(group.source, group.hash, chunks);
        (old === undefined ? report.added : report.updated).push(group.source);
      }
      const current = new Set(groups.map((g) => g.source));
      for (const source of known.keys()) {
        if (current.has(source)) continue;
        await store.removeSource(source);
        report.removed.push(source);
      }
      onProgress?.({ done: groups.length, total: groups.length, source: "" });
      return report;
    });
    report.chunks = await store.countChunks();
    report.seconds = (performance.now() - started) / 1000;
    return report;
  } finally {
    await embedder?.dispose();
    await store.close();
  }
}

/** An update must use the analyzer and embedding model the index was built with. */
export function checkSameSettings(label: string, built: IndexMeta, asked: IndexMeta): void {
  const fix = {
    en: "Pass the same options, or --rebuild to re-index everything with the new ones.",
    ko: "같은 옵션을 주거나, --rebuild로 새 옵션으로 전부 다시 색인하세요.",
  };
  if (built.analyzer !== asked.analyzer) {
    throw new RagIndexMismatchError(label, "analyzer", built.analyzer, `--analyzer ${asked.analyzer}`, fix);
  }
  const b = built.embedding;
  const a = asked.embedding;
  if (b?.fingerprint !== a?.fingerprint) {
    const describe = (e: IndexMeta["embedding"]) => (e ? `${e.model} (${e.dimensions} dimensions, fingerprint ${e.fingerprint})` : "no embedding model");
    throw new RagIndexMismatchError(label, "embedding model", describe(b), describe(a), fix);
  }
}
