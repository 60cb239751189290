// The embedded index: one SQLite file (SQLite 3.5x compiled to WebAssembly by node-sqlite3-wasm, so no native
// install step) with FTS5 for BM25 over our own pre-analyzed terms, and vectors as float32 blobs scanned exactly.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { Database as SqliteDatabase } from "node-sqlite3-wasm";
import { rankHits, selectiveTerms, type IndexMeta, type RagStore, type StoreHit, type StoredChunk } from "./store.js";

// node-sqlite3-wasm is CommonJS; createRequire keeps its types and avoids an ESM interop default-export shim.
const { Database } = createRequire(import.meta.url)("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");

export const SQLITE_INDEX_FILE = "index.sqlite";

// Terms are already analyzed (analyzer.ts) and joined by spaces; FTS5 must keep each one whole, marks included.
const SCHEMA = `
create table if not exists meta(key text primary key, value text not null);
create table if not exists sources(source text primary key, hash text not null);
create table if not exists chunks(
  id integer primary key, chunk_id text not null unique, source text not null,
  heading_path text not null, citation text not null, text text not null, embedding blob);
create index if not exists chunks_source on chunks(source);
create virtual table if not exists chunk_terms using fts5(terms, tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'");
create virtual table if not exists chunk_vocab using fts5vocab(chunk_terms, row);
`;

/** Quotes a term as an FTS5 string so that no term is read as an operator. */
const ftsString = (term: string) => `"${term.replace(/"/g, '""')}"`;

export class SqliteRagStore implements RagStore {
  readonly kind = "sqlite";
  private readonly db: SqliteDatabase;
  /** Every vector, loaded on the first vector search: [rows, dimensions] (a copy of the blobs, freed on close). */
  private vectors: { ids: string[]; data: Float32Array; dims: number } | undefined;
  /** Number of chunks, cached between writes (a count(*) reads the whole table). */
  private chunkCount: number | undefined;

  private constructor(db: SqliteDatabase) {
    this.db = db;
  }

  /** Opens the index in `dir`, creating the folder and file when `create` is set. */
  static open(dir: string, options: { create: boolean }): SqliteRagStore {
    const file = path.join(dir, SQLITE_INDEX_FILE);
    if (options.create) fs.mkdirSync(dir, { recursive: true });
    const db = new Database(file, { fileMustExist: !options.create });
    // A 64 MiB page cache (allocated as used): a large update otherwise spills pages to the journal file mid-transaction.
    db.exec(`pragma cache_size = -65536; ${SCHEMA}`);
    return new SqliteRagStore(db);
  }

  async describe(): Promise<string> {
    return "SQLite FTS5 BM25 (node-sqlite3-wasm); vectors: exact cosine scan";
  }

  async atomically<T>(work: () => Promise<T>): Promise<T> {
    this.db.exec("begin");
    try {
      const result = await work();
      this.db.exec("commit");
      return result;
    } catch (error) {
      this.db.exec("rollback");
      this.chunkCount = undefined;
      this.vectors = undefined;
      throw error;
    }
  }

  async readMeta(): Promise<IndexMeta | undefined> {
    const row = this.db.get("select value from meta where key = 'index'");
    return row ? (JSON.parse(String(row.value)) as IndexMeta) : undefined;
  }

  async writeMeta(meta: IndexMeta): Promise<void> {
    this.db.run("insert into meta(key, value) values ('index', ?) on conflict(key) do update set value = excluded.value", [
      JSON.stringify(meta),
    ]);
  }

  async listSources(): Promise<Map<string, string>> {
    const rows = this.db.all("select source, hash from sources");
    return new Map(rows.map((r) => [String(r.source), String(r.hash)]));
  }

  async replaceSource(source: string, hash: string, chunks: StoredChunk[]): Promise<void> {
    this.transaction(() => {
      this.deleteSourceRows(source);
      const insertChunk = this.db.prepare(
        "insert into chunks(chunk_id, source, heading_path, citation, text, embedding) values (?, ?, ?, ?, ?, ?)",
      );
      const insertTerms = this.db.prepare("insert into chunk_terms(rowid, terms) values (?, ?)");
      try {
        for (const c of chunks) {
          const embedding = c.embedding ? new Uint8Array(c.embedding.buffer, c.embedding.byteOffset, c.embedding.byteLength) : null;
          const { lastInsertRowid } = insertChunk.run([c.chunkId, source, JSON.stringify(c.headingPath), c.citation, c.text, embedding]);
          insertTerms.run([lastInsertRowid, c.terms.join(" ")]);
        }
      } finally {
        insertChunk.finalize();
        insertTerms.finalize();
      }
      this.db.run("insert into sources(source, hash) values (?, ?) on conflict(source) do update set hash = excluded.hash", [source, hash]);
    });
  }

  async removeSource(source: string): Promise<void> {
    this.transaction(() => {
      this.deleteSourceRows(source);
      this.db.run("delete from sources where source = ?", [source]);
    });
  }

  async countChunks(): Promise<number> {
    return (this.chunkCount ??= Number(this.db.get("select count(*) as n from chunks")!.n));
  }

  async lexicalSearch(terms: string[], k: number): Promise<StoreHit[]> {
    const all = [...new Set(terms)];
    if (all.length === 0 || k <= 0) return [];
    const df = this.db.all(`select term, doc from chunk_vocab where term in (${all.map(() => "?").join(",")})`, all);
    const distinct = selectiveTerms(all, new Map(df.map((r) => [String(r.term), Number(r.doc)])), await this.countChunks());
    // A few rows past k so that ties at the cut are broken by chunk id, as in every store.
    const rows = this.db.all(
      `select c.chunk_id as chunk_id, s.score as score from
         (select rowid, -bm25(chunk_terms) as score from chunk_terms where chunk_terms match ? order by bm25(chunk_terms) limit ?) s
       join chunks c on c.id = s.rowid`,
      [distinct.map(ftsString).join(" OR "), k + 16],
    );
    return rankHits(rows.map((r) => ({ chunkId: String(r.chunk_id), score: Number(r.score) })), k);
  }

  async vectorSearch(query: Float32Array, k: number): Promise<StoreHit[]> {
    const v = (this.vectors ??= this.loadVectors());
    if (v.ids.length === 0) return [];
    const hits: StoreHit[] = new Array(v.ids.length);
    for (let row = 0; row < v.ids.length; row++) {
      let dot = 0;
      const base = row * v.dims;
      for (let i = 0; i < v.dims; i++) dot += v.data[base + i]! * query[i]!;
      hits[row] = { chunkId: v.ids[row]!, score: dot };
    }
    return rankHits(hits, k);
  }

  async getChunks(chunkIds: string[]): Promise<Map<string, Omit<StoredChunk, "terms" | "embedding">>> {
    const out = new Map<string, Omit<StoredChunk, "terms" | "embedding">>();
    if (chunkIds.length === 0) return out;
    const rows = this.db.all(
      `select chunk_id, source, heading_path, citation, text from chunks where chunk_id in (${chunkIds.map(() => "?").join(",")})`,
      chunkIds,
    );
    for (const r of rows) {
      const id = String(r.chunk_id);
      out.set(id, {
        chunkId: id,
        source: String(r.source),
        headingPath: JSON.parse(String(r.heading_path)) as string[],
        citation: String(r.citation),
        text: String(r.text),
      });
    }
    return out;
  }

  async close(): Promise<void> {
    this.vectors = undefined;
    if (this.db.isOpen) this.db.close();
  }

  private loadVectors(): { ids: string[]; data: Float32Array; dims: number } {
    const rows = this.db.all("select chunk_id, embedding from chunks where embedding is not null order by id");
    const first = rows[0]?.embedding as Uint8Array | undefined;
    const dims = first ? first.byteLength / 4 : 0;
    const data = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => {
      const bytes = r.embedding as Uint8Array;
      data.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), i * dims);
    });
    return { ids: rows.map((r) => String(r.chunk_id)), data, dims };
  }

  private deleteSourceRows(source: string): void {
    this.db.run("delete from chunk_terms where rowid in (select id from chunks where source = ?)", [source]);
    this.db.run("delete from chunks where source = ?", [source]);
    this.vectors = undefined;
    this.chunkCount = undefined;
  }

  /** A transaction, or part of the one already open (atomically()). */
  private transaction(work: () => void): void {
    if (this.db.inTransaction) return work();
    this.db.exec("begin");
    try {
      work();
      this.db.exec("commit");
    } catch (error) {
      this.db.exec("rollback");
      throw error;
    }
  }
}
