// The embedded index's inverted lists: per term, rows of up to `blockSize` postings (postings-codec.ts) keyed by the
// block's last chunk id, plus each term's document frequency. Changes are buffered and written per term in one pass
// (flush): a bulk build then writes each term a few times instead of once per chunk, and an update rewrites only
// the blocks that hold removed chunks and each term's last block.
import type { Database as SqliteDatabase, Statement } from "node-sqlite3-wasm";
import { decodePostings, encodePostings, type PostingsBlock } from "./postings-codec.js";

/** Postings per block: small enough that an update rewrites little, large enough that a common term is a few dozen rows. */
export const POSTINGS_BLOCK = 1024;

/** Buffered postings past which they are written before more are taken (bounds memory on a bulk build: 16 bytes each). */
export const POSTINGS_FLUSH_AT = 2_000_000;

export const POSTINGS_SCHEMA = `
create table if not exists vocab(term text primary key, df integer not null) without rowid;
create table if not exists postings(term text not null, last_id integer not null, count integer not null, data blob not null);
create unique index if not exists postings_key on postings(term, last_id);
`;

/**
 * Postings of chunks added since the last flush, as flat typed arrays (a bulk build buffers millions: per-term
 * arrays would cost several times the memory and most of the build time in allocation).
 */
class AddedPostings {
  /** term -> its number in this buffer. */
  readonly termNumber = new Map<string, number>();
  readonly termNames: string[] = [];
  size = 0;
  private columns = { term: new Uint32Array(4096), id: new Uint32Array(4096), tf: new Uint32Array(4096), length: new Uint32Array(4096) };

  push(term: string, id: number, tf: number, length: number): void {
    let t = this.termNumber.get(term);
    if (t === undefined) {
      t = this.termNames.push(term) - 1;
      this.termNumber.set(term, t);
    }
    if (this.size === this.columns.id.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.columns = { term: grow(this.columns.term), id: grow(this.columns.id), tf: grow(this.columns.tf), length: grow(this.columns.length) };
    }
    const c = this.columns;
    c.term[this.size] = t;
    c.id[this.size] = id;
    c.tf[this.size] = tf;
    c.length[this.size] = length;
    this.size++;
  }

  /** term -> its postings in the order added (a stable counting sort by term). */
  byTerm(): Map<string, PostingsBlock> {
    const { term, id, tf, length } = this.columns;
    const start = new Uint32Array(this.termNames.length + 1);
    for (let i = 0; i < this.size; i++) start[term[i]! + 1]!++;
    for (let t = 0; t < this.termNames.length; t++) start[t + 1]! += start[t]!;
    const order = new Uint32Array(this.size);
    const next = start.slice(0, this.termNames.length);
    for (let i = 0; i < this.size; i++) order[next[term[i]!]!++] = i;
    const out = new Map<string, PostingsBlock>();
    this.termNames.forEach((name, t) => {
      const block: PostingsBlock = { ids: [], tfs: [], lengths: [] };
      for (let j = start[t]!; j < start[t + 1]!; j++) {
        const i = order[j]!;
        block.ids.push(id[i]!);
        block.tfs.push(tf[i]!);
        block.lengths.push(length[i]!);
      }
      out.set(name, block);
    });
    return out;
  }
}

/** term -> how often it occurs in `terms`, in order of first occurrence. */
export function termFrequencies(terms: readonly string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

export class SqlitePostings {
  /** Postings of chunks added since the last flush (ids ascending per term: chunk ids only grow). */
  private added = new AddedPostings();
  /** term -> ids of removed chunks that held it. */
  private readonly removed = new Map<string, number[]>();
  private readonly removedIds = new Set<number>();
  private buffered = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly blockSize = POSTINGS_BLOCK,
    private readonly flushAt = POSTINGS_FLUSH_AT,
  ) {}

  /** Buffers a new chunk: its term frequencies (termFrequencies()) and its length in terms. */
  add(id: number, tf: ReadonlyMap<string, number>, length: number): void {
    for (const [term, n] of tf) this.added.push(term, id, n, length);
    this.buffered += tf.size;
    if (this.buffered >= this.flushAt) this.flush();
  }

  /** Buffers the removal of a chunk, given its distinct terms. */
  remove(id: number, distinctTerms: readonly string[]): void {
    this.removedIds.add(id);
    for (const term of distinctTerms) {
      let ids = this.removed.get(term);
      if (!ids) this.removed.set(term, (ids = []));
      ids.push(id);
    }
    this.buffered += distinctTerms.length;
    if (this.buffered >= this.flushAt) this.flush();
  }

  get pending(): boolean {
    return this.added.size > 0 || this.removed.size > 0;
  }

  /** Forgets buffered changes (after a rollback, or when the whole index is cleared). */
  discard(): void {
    this.added = new AddedPostings();
    this.removed.clear();
    this.removedIds.clear();
    this.buffered = 0;
  }

  /** Writes buffered changes; must run inside the caller's transaction. */
  flush(): void {
    if (!this.pending) return;
    const statements = {
      blocksFrom: this.db.prepare("select rowid as r, last_id, data from postings where term = ? and last_id >= ? order by last_id"),
      lastBlock: this.db.prepare("select rowid as r, count, data from postings where term = ? order by last_id desc limit 1"),
      deleteBlock: this.db.prepare("delete from postings where rowid = ?"),
      insertBlock: this.db.prepare("insert into postings(term, last_id, count, data) values (?, ?, ?, ?)"),
      getDf: this.db.prepare("select df from vocab where term = ?"),
      setDf: this.db.prepare("insert into vocab(term, df) values (?, ?) on conflict(term) do update set df = excluded.df"),
      deleteDf: this.db.prepare("delete from vocab where term = ?"),
    };
    try {
      const added = this.added.byTerm();
      // Sorted, so that the B-tree pages are visited in order.
      const terms = [...new Set([...added.keys(), ...this.removed.keys()])].sort();
      for (const term of terms) this.flushTerm(term, added.get(term), statements);
    } finally {
      for (const s of Object.values(statements)) s.finalize();
    }
    this.discard();
  }

  private flushTerm(term: string, added: PostingsBlock | undefined, st: Record<"blocksFrom" | "lastBlock" | "deleteBlock" | "insertBlock" | "getDf" | "setDf" | "deleteDf", Statement>): void {
    let df = Number(st.getDf.get([term])?.df ?? 0);
    const removed = this.removed.get(term);
    if (removed) {
      removed.sort((a, b) => a - b);
      // Only blocks whose id range can hold a removed id: those ending at or after the smallest one, up to the
      // first block ending at or after the largest one.
      const rows = st.blocksFrom.all([term, removed[0]!]);
      const largest = removed[removed.length - 1]!;
      for (const row of rows) {
        const block = decodePostings(row.data as Uint8Array);
        const kept = this.survivors(block);
        if (kept !== block) {
          df -= block.ids.length - kept.ids.length;
          st.deleteBlock.run([row.r as number]);
          if (kept.ids.length > 0) this.insertBlock(st.insertBlock, term, kept, 0, kept.ids.length);
        }
        if (Number(row.last_id) >= largest) break;
      }
    }
    if (added) {
      let fresh = this.survivors(added);
      if (fresh.ids.length > 0) {
        df += fresh.ids.length;
        const last = st.lastBlock.get([term]);
        if (last && Number(last.count) < this.blockSize) {
          // New ids are larger than every stored one, so the last block takes them first.
          const old = decodePostings(last.data as Uint8Array);
          fresh = { ids: old.ids.concat(fresh.ids), tfs: old.tfs.concat(fresh.tfs), lengths: old.lengths.concat(fresh.lengths) };
          st.deleteBlock.run([last.r as number]);
        }
        for (let from = 0; from < fresh.ids.length; from += this.blockSize) {
          this.insertBlock(st.insertBlock, term, fresh, from, Math.min(from + this.blockSize, fresh.ids.length));
        }
      }
    }
    if (df > 0) st.setDf.run([term, df]);
    else st.deleteDf.run([term]);
  }

  /** Postings [from, to) of a block as one row. */
  private insertBlock(insert: Statement, term: string, block: PostingsBlock, from: number, to: number): void {
    insert.run([term, block.ids[to - 1]!, to - from, encodePostings(block.ids, block.tfs, block.lengths, from, to)]);
  }

  /** The block without removed chunks (the same object when none of them is in it). */
  private survivors(block: PostingsBlock): PostingsBlock {
    if (this.removedIds.size === 0 || !block.ids.some((id) => this.removedIds.has(id))) return block;
    const out: PostingsBlock = { ids: [], tfs: [], lengths: [] };
    block.ids.forEach((id, i) => {
      if (this.removedIds.has(id)) return;
      out.ids.push(id);
      out.tfs.push(block.tfs[i]!);
      out.lengths.push(block.lengths[i]!);
    });
    return out;
  }
}
