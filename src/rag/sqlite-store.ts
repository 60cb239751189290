// The embedded index: one SQLite file (SQLite 3.5x compiled to WebAssembly by node-sqlite3-wasm, so no native
// install step) holding the chunks, our own BM25 inverted lists (sqlite-postings.ts, scored exactly in bm25.ts), and
// vectors as float32 blobs scanned exactly. An update works on a copy of the file that is renamed into place when it
// is done (see sqlite-lock.ts for why): searches keep reading the previous index meanwhile, a killed `rag index`
// leaves the live index untouched, and two updates at once are refused by a writer lock file with the PID.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { Database as SqliteDatabase, Statement } from "node-sqlite3-wasm";
import { LocaltuneError } from "../errors.js";
import { acquireLock, removeDeadProcessFiles, type HeldLock } from "../fs/process-files.js";
import { clearStaleLock, registerUser, whileBusy } from "./sqlite-lock.js";
import { Bm25Accumulator, bm25Idf } from "./bm25.js";
import { POSTINGS_SCHEMA, SqlitePostings, termFrequencies } from "./sqlite-postings.js";
import { rankHits, selectiveTerms, type IndexMeta, type RagStore, type StoreHit, type StoredChunk } from "./store.js";

// node-sqlite3-wasm is CommonJS; createRequire keeps its types and avoids an ESM interop default-export shim.
const { Database } = createRequire(import.meta.url)("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");

export const SQLITE_INDEX_FILE = "index.sqlite";

// Chunk ids only grow (autoincrement), so new postings always go at the end of a term's list. `terms` keeps a
// chunk's distinct terms (analyzer terms never hold whitespace) so that its postings can be removed; `stats` keeps
// BM25's collection figures (chunks, total terms) exact without a table scan.
const SCHEMA = `
create table if not exists meta(key text primary key, value text not null);
create table if not exists sources(source text primary key, hash text not null);
create table if not exists chunks(
  id integer primary key autoincrement, chunk_id text not null unique, source text not null,
  heading_path text not null, citation text not null, text text not null, embedding blob,
  term_count integer not null, terms text not null);
create index if not exists chunks_source on chunks(source);
create table if not exists stats(id integer primary key check (id = 1), chunks integer not null, terms integer not null);
insert or ignore into stats(id, chunks, terms) values (1, 0, 0);
${POSTINGS_SCHEMA}`;

/** Tables of the first layout (FTS5), found in indexes built by localtune before the own inverted lists. */
const LEGACY_TABLES = ["chunk_vocab", "chunk_terms", "chunks", "sources", "meta"];

export class SqliteRagStore implements RagStore {
  readonly kind = "sqlite";
  private readonly db: SqliteDatabase;
  /** Every vector, loaded on the first vector search: [rows, dimensions] (a copy of the blobs, freed on close). */
  private vectors: { ids: string[]; data: Float32Array; dims: number } | undefined;
  /** Collection figures for BM25, cached between writes. */
  private stats: { chunks: number; terms: number } | undefined;
  private readonly postings: SqlitePostings;
  private readonly accumulator = new Bm25Accumulator();
  /** Prepared read statements, kept for the life of the store (finalized on close). */
  private readonly statements = new Map<string, Statement>();

  /** Recoveries made when opening (stale locks taken over), for the user. */
  readonly notes: string[];

  private constructor(
    db: SqliteDatabase,
    /** The live index file. */
    private readonly file: string,
    /** The working copy an update writes, renamed over `file` on close; undefined for a search. */
    private readonly work: string | undefined,
    private readonly releases: (() => void)[],
    notes: string[],
    blockSize?: number,
    flushAt?: number,
  ) {
    this.db = db;
    this.notes = notes;
    this.postings = new SqlitePostings(db, blockSize, flushAt);
  }

  /**
   * Opens the index in `dir`, creating the folder and file when `create` is set. An index of the first layout
   * (FTS5) is emptied when opened to write, so the run re-indexes every input, and refused when opened to search.
   * blockSize and flushAt (sqlite-postings.ts) are for tests that exercise block splits and mid-update writes.
   */
  static open(dir: string, options: { create: boolean; blockSize?: number; flushAt?: number }): SqliteRagStore {
    const file = path.join(dir, SQLITE_INDEX_FILE);
    if (options.create) fs.mkdirSync(dir, { recursive: true });
    const notes: string[] = [];
    const releases: (() => void)[] = [];
    let work: string | undefined;
    let db: SqliteDatabase | undefined;
    try {
      if (options.create || fs.existsSync(file)) releases.push(registerUser(file).release);
      const stale = clearStaleLock(file);
      if (stale) notes.push(stale);
      if (options.create) {
        const writer: HeldLock = acquireLock(`${file}.writer`, { en: `the RAG index ${dir}`, ko: `RAG 인덱스 ${dir}` });
        releases.push(writer.release);
        if (writer.tookOver) notes.push(`${writer.tookOver.en} / ${writer.tookOver.ko}`);
        // Working copies of updates that were killed (and their journals and locks): the live index never saw them.
        removeDeadProcessFiles(dir, new RegExp(`^${SQLITE_INDEX_FILE.replace(".", "\\.")}\\.update-(\\d+)`));
        work = `${file}.update-${process.pid}`;
        // Cost: a copy of the whole index per update (what lets searches go on meanwhile without WAL).
        if (fs.existsSync(file)) {
          settleJournal(file);
          fs.copyFileSync(file, work);
        }
      }
      db = new Database(work ?? file, { fileMustExist: !options.create });
      const opened = db;
      whileBusy(file, () => {
        if (opened.get("select 1 from sqlite_master where name = 'chunk_terms'")) {
          if (!options.create) {
            throw new LocaltuneError({
              en: `the RAG index at ${dir} has the first layout (SQLite FTS5), which this version no longer reads. Re-index it: localtune rag index <inputs> --index ${dir}`,
              ko: `${dir}의 RAG 인덱스는 이 버전이 더 이상 읽지 않는 첫 형식(SQLite FTS5)입니다. 다시 색인하세요: localtune rag index <입력> --index ${dir}`,
            });
          }
          opened.exec(LEGACY_TABLES.map((t) => `drop table if exists ${t};`).join(" "));
        }
        // A 64 MiB page cache (allocated as used): a large update otherwise spills pages to the journal file mid-transaction.
        opened.exec("pragma cache_size = -65536");
        // A search on a complete index writes nothing (the schema's "insert or ignore" would take the write lock).
        if (options.create || !opened.get("select 1 from sqlite_master where name = 'stats'")) opened.exec(SCHEMA);
      }, (note) => notes.push(note));
    } catch (error) {
      if (db?.isOpen) db.close();
      if (work) fs.rmSync(work, { force: true });
      for (const release of releases.reverse()) release();
      throw error;
    }
    return new SqliteRagStore(db, file, work, releases, notes, options.blockSize, options.flushAt);
  }

  async describe(): Promise<string> {
    return "SQLite (node-sqlite3-wasm): exact BM25 over block postings; vectors: exact cosine scan";
  }

  async atomically<T>(work: () => Promise<T>): Promise<T> {
    this.db.exec("begin");
    try {
      const result = await work();
      this.postings.flush();
      this.db.exec("commit");
      return result;
    } catch (error) {
      this.db.exec("rollback");
      this.forgetWrites();
      throw error;
    }
  }

  async readMeta(): Promise<IndexMeta | undefined> {
    const row = this.busy(() => this.db.get("select value from meta where key = 'index'"));
    return row ? (JSON.parse(String(row.value)) as IndexMeta) : undefined;
  }

  async writeMeta(meta: IndexMeta): Promise<void> {
    this.db.run("insert into meta(key, value) values ('index', ?) on conflict(key) do update set value = excluded.value", [
      JSON.stringify(meta),
    ]);
  }

  async listSources(): Promise<Map<string, string>> {
    const rows = this.busy(() => this.db.all("select source, hash from sources"));
    return new Map(rows.map((r) => [String(r.source), String(r.hash)]));
  }

  async replaceSource(source: string, hash: string, chunks: StoredChunk[]): Promise<void> {
    this.transaction(() => {
      this.deleteSourceRows(source);
      const insertChunk = this.db.prepare(
        "insert into chunks(chunk_id, source, heading_path, citation, text, embedding, term_count, terms) values (?, ?, ?, ?, ?, ?, ?, ?)",
      );
      let terms = 0;
      try {
        for (const c of chunks) {
          const embedding = c.embedding ? new Uint8Array(c.embedding.buffer, c.embedding.byteOffset, c.embedding.byteLength) : null;
          const tf = termFrequencies(c.terms);
          const row = [c.chunkId, source, JSON.stringify(c.headingPath), c.citation, c.text, embedding, c.terms.length, [...tf.keys()].join(" ")];
          this.postings.add(Number(insertChunk.run(row).lastInsertRowid), tf, c.terms.length);
          terms += c.terms.length;
        }
      } finally {
        insertChunk.finalize();
      }
      this.db.run("update stats set chunks = chunks + ?, terms = terms + ?", [chunks.length, terms]);
      this.db.run("insert into sources(source, hash) values (?, ?) on conflict(source) do update set hash = excluded.hash", [source, hash]);
    });
  }

  async removeSource(source: string): Promise<void> {
    this.transaction(() => {
      this.deleteSourceRows(source);
      this.db.run("delete from sources where source = ?", [source]);
    });
  }

  /** Removes every chunk and source at once (a rebuild), and restarts chunk ids at 1. */
  async clear(): Promise<void> {
    this.transaction(() => {
      this.db.exec(
        "delete from chunks; delete from sources; delete from postings; delete from vocab; update stats set chunks = 0, terms = 0; delete from sqlite_sequence where name = 'chunks';",
      );
      this.forgetWrites();
    });
  }

  async countChunks(): Promise<number> {
    return this.collectionStats().chunks;
  }

  async lexicalSearch(terms: string[], k: number): Promise<StoreHit[]> {
    const all = [...new Set(terms)];
    if (all.length === 0 || k <= 0) return [];
    // Inside an open update, buffered postings must be written first to be seen.
    this.postings.flush();
    return this.reading(() => this.scoreTerms(all, k));
  }

  /** BM25 of the chunks holding any of the (distinct) terms, the best k first. */
  private scoreTerms(all: string[], k: number): StoreHit[] {
    const stats = this.collectionStats();
    if (stats.chunks === 0) return [];
    const dfRows = this.statement("select term, df from vocab where term in (select value from json_each(?))").all([JSON.stringify(all)]);
    const df = new Map(dfRows.map((r) => [String(r.term), Number(r.df)]));
    const maxId = Number(this.statement("select max(id) as id from chunks").get()!.id ?? 0);
    this.accumulator.reset(maxId);
    const blocks = this.statement("select data from postings where term = ? order by last_id");
    const averageLength = stats.terms / stats.chunks;
    for (const term of selectiveTerms(all, df, stats.chunks)) {
      const n = df.get(term);
      if (!n) continue;
      const idf = bm25Idf(stats.chunks, n);
      for (const row of blocks.all([term])) this.accumulator.addBlock(row.data as Uint8Array, idf, averageLength);
    }
    const best = this.accumulator.best(k);
    if (best.length === 0) return [];
    const ids = this.statement("select id, chunk_id from chunks where id in (select value from json_each(?))").all([JSON.stringify(best.map((b) => b.id))]);
    const chunkIdOf = new Map(ids.map((r) => [Number(r.id), String(r.chunk_id)]));
    return rankHits(best.map((b) => ({ chunkId: chunkIdOf.get(b.id)!, score: b.score })), k);
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
    const rows = this.busy(() =>
      this.db.all(`select chunk_id, source, heading_path, citation, text from chunks where chunk_id in (${chunkIds.map(() => "?").join(",")})`, chunkIds),
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

  /**
   * Closes the index; an update's working copy replaces the live file now (a rename: a search that has the old file
   * open keeps reading it whole). A copy left inside a transaction (a failure mid-update) is dropped instead.
   */
  async close(): Promise<void> {
    this.vectors = undefined;
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    let publish = false;
    if (this.db.isOpen) {
      publish = !this.db.inTransaction;
      this.db.close();
    }
    try {
      if (this.work && publish) renameOver(this.work, this.file);
      else if (this.work) fs.rmSync(this.work, { force: true });
    } finally {
      for (const release of this.releases.reverse()) release();
      this.releases.length = 0;
    }
  }

  /** A read on the live file, waiting out another search's lock (never needed on an update's own copy). */
  private busy<T>(work: () => T): T {
    return this.work ? work() : whileBusy(this.file, work, (note) => this.notes.push(note));
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private collectionStats(): { chunks: number; terms: number } {
    if (!this.stats) {
      const row = this.busy(() => this.db.get("select chunks, terms from stats where id = 1"))!;
      this.stats = { chunks: Number(row.chunks), terms: Number(row.terms) };
    }
    return this.stats;
  }

  /** Drops what is cached or buffered from writes (after a rollback or a clear). */
  private forgetWrites(): void {
    this.postings.discard();
    this.stats = undefined;
    this.vectors = undefined;
  }

  private loadVectors(): { ids: string[]; data: Float32Array; dims: number } {
    const rows = this.busy(() => this.db.all("select chunk_id, embedding from chunks where embedding is not null order by id"));
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
    const rows = this.db.all("select id, term_count, terms from chunks where source = ?", [source]);
    let terms = 0;
    for (const r of rows) {
      const distinct = String(r.terms);
      this.postings.remove(Number(r.id), distinct ? distinct.split(" ") : []);
      terms += Number(r.term_count);
    }
    this.db.run("delete from chunks where source = ?", [source]);
    this.db.run("update stats set chunks = chunks - ?, terms = terms - ?", [rows.length, terms]);
    this.vectors = undefined;
    this.stats = undefined;
  }

  /**
   * Several reads as one transaction: node-sqlite3-wasm takes and drops its file lock (it makes and removes a
   * directory) for every transaction, which costs more than a small query; a search is a few dozen statements.
   */
  private reading<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    return this.busy(() => {
      this.db.exec("begin");
      try {
        return work();
      } finally {
        this.db.exec("commit");
      }
    });
  }

  /** A transaction, or part of the one already open (atomically()). */
  private transaction(work: () => void): void {
    if (this.db.inTransaction) return work();
    this.db.exec("begin");
    try {
      work();
      this.postings.flush();
      this.db.exec("commit");
    } catch (error) {
      this.db.exec("rollback");
      this.forgetWrites();
      throw error;
    }
  }
}

/**
 * Rolls back a journal left on the live file by an update made in place (localtune before working copies, killed
 * mid-transaction), before the file is copied: a copy taken without its journal would be a half-written index.
 */
function settleJournal(file: string): void {
  if (!fs.existsSync(`${file}-journal`)) return;
  const db = new Database(file, { fileMustExist: true });
  try {
    // The first read of a file with a hot journal and no lock plays the journal back.
    whileBusy(file, () => db.get("select count(*) as n from sqlite_master"));
  } finally {
    db.close();
  }
}

/** rename() that waits a little for a reader to let go on Windows, where an open file can refuse to be replaced. */
function renameOver(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.renameSync(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "EPERM" && code !== "EBUSY" && code !== "EACCES") || attempt >= 20) {
        throw new LocaltuneError({
          en: `could not put the updated RAG index in place (${code}: ${(error as Error).message}); it stays in ${from}. Close other programs that use ${to} and run rag index again.`,
          ko: `갱신한 RAG 인덱스를 제자리에 두지 못했습니다 (${code}: ${(error as Error).message}). ${from}에 남아 있습니다. ${to}을(를) 쓰는 다른 프로그램을 닫고 rag index를 다시 실행하세요.`,
        });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}
