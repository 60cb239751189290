// The index in PostgreSQL, for a shared or larger corpus: one schema per index. Lexical search is the same BM25 as
// the embedded store (same terms, FTS5's formula, so both stores rank alike) over a postings table, or pg_trgm word
// similarity on the raw text; vectors use pgvector's operator when the extension is installed, else an exact scan
// over real[] columns in SQL.
import pg from "pg";
import { InvalidConfigError, LocaltuneError } from "../errors.js";
import { redactUrl } from "./open-store.js";
import { BM25_B, BM25_K1, chunkSearchText, rankHits, type IndexMeta, type RagStore, type StoreHit, type StoredChunk } from "./store.js";

/** Index names become schema names: letters, digits and underscores only. */
const INDEX_NAME = /^[a-z_][a-z0-9_]{0,50}$/;

/** How many rows a batched insert sends at once (Postgres caps one statement at 65535 parameters; arrays avoid that, this bounds memory). */
const BATCH = 5000;

export class PostgresRagStore implements RagStore {
  readonly kind = "postgres";
  private inTransaction = false;

  private constructor(
    private readonly client: pg.Client,
    private readonly schema: string,
    /** Whether the pgvector extension is installed in the database. */
    readonly pgvector: boolean,
  ) {}

  static async open(url: string, index: string, options: { create: boolean }): Promise<PostgresRagStore> {
    const name = index.toLowerCase();
    if (!INDEX_NAME.test(name)) {
      throw new InvalidConfigError({
        en: `with --store postgres://..., --index names the index and must be letters, digits and "_" (got "${index}").`,
        ko: `--store postgres://...를 쓸 때 --index는 인덱스 이름이며 영문자, 숫자, "_"만 쓸 수 있습니다 ("${index}").`,
      });
    }
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (error) {
      throw new LocaltuneError(
        {
          en: `cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}. Check that the server runs and the URL (user, password, database) is right.`,
          ko: `${redactUrl(url)}의 PostgreSQL에 연결할 수 없습니다: ${(error as Error).message}. 서버가 실행 중인지, URL(사용자, 비밀번호, 데이터베이스)이 맞는지 확인하세요.`,
        },
        { cause: error },
      );
    }
    const schema = `lt_rag_${name}`;
    try {
      if (options.create) {
        // pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it without superuser rights.
        await client.query("create extension if not exists pg_trgm");
        await client.query(`create schema if not exists ${schema}`);
        await client.query(`
          create table if not exists ${schema}.meta(key text primary key, value jsonb not null);
          create table if not exists ${schema}.sources(source text primary key, hash text not null);
          create table if not exists ${schema}.chunks(
            id bigserial primary key, chunk_id text not null unique, source text not null, heading_path jsonb not null,
            citation text not null, text text not null, search_text text not null, term_count int not null, embedding real[]);
          create index if not exists chunks_source on ${schema}.chunks(source);
          create index if not exists chunks_trgm on ${schema}.chunks using gin (search_text gin_trgm_ops);
          create table if not exists ${schema}.postings(
            term text not null, chunk bigint not null references ${schema}.chunks(id) on delete cascade, tf int not null,
            primary key (term, chunk));
          create index if not exists postings_chunk on ${schema}.postings(chunk);`);
      }
      const vector = await client.query("select 1 from pg_extension where extname = 'vector'");
      return new PostgresRagStore(client, schema, (vector.rowCount ?? 0) > 0);
    } catch (error) {
      await client.end();
      throw error;
    }
  }

  async describe(): Promise<string> {
    return `PostgreSQL schema ${this.schema}: BM25 over postings, pg_trgm; vectors: ${this.pgvector ? "pgvector <=> (exact)" : "exact scan over real[] (pgvector not installed)"}`;
  }

  async readMeta(): Promise<IndexMeta | undefined> {
    if (!(await this.hasTables())) return undefined;
    const r = await this.client.query(`select value from ${this.schema}.meta where key = 'index'`);
    return r.rows[0]?.value as IndexMeta | undefined;
  }

  async writeMeta(meta: IndexMeta): Promise<void> {
    await this.client.query(
      `insert into ${this.schema}.meta(key, value) values ('index', $1) on conflict (key) do update set value = excluded.value`,
      [JSON.stringify(meta)],
    );
  }

  async listSources(): Promise<Map<string, string>> {
    if (!(await this.hasTables())) return new Map();
    const r = await this.client.query(`select source, hash from ${this.schema}.sources`);
    return new Map(r.rows.map((row: { source: string; hash: string }) => [row.source, row.hash]));
  }

  async replaceSource(source: string, hash: string, chunks: StoredChunk[]): Promise<void> {
    await this.transaction(async () => {
      await this.client.query(`delete from ${this.schema}.chunks where source = $1`, [source]);
      for (let start = 0; start < chunks.length; start += BATCH) {
        const batch = chunks.slice(start, start + BATCH);
        const inserted = await this.client.query(
          `insert into ${this.schema}.chunks(chunk_id, source, heading_path, citation, text, search_text, term_count)
           select * from unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::text[], $7::int[])
           returning id, chunk_id`,
          [
            batch.map((c) => c.chunkId),
            batch.map(() => source),
            batch.map((c) => JSON.stringify(c.headingPath)),
            batch.map((c) => c.citation),
            batch.map((c) => c.text),
            batch.map((c) => chunkSearchText(c.citation, c.text)),
            batch.map((c) => c.terms.length),
          ],
        );
        const idOf = new Map(inserted.rows.map((row: { id: string; chunk_id: string }) => [row.chunk_id, row.id]));
        const terms: string[] = [];
        const ids: string[] = [];
        const tfs: number[] = [];
        for (const c of batch) {
          const tf = new Map<string, number>();
          for (const t of c.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
          for (const [term, n] of tf) {
            terms.push(term);
            ids.push(idOf.get(c.chunkId)!);
            tfs.push(n);
          }
          if (c.embedding) {
            await this.client.query(`update ${this.schema}.chunks set embedding = $1 where id = $2`, [Array.from(c.embedding), idOf.get(c.chunkId)]);
          }
        }
        await this.client.query(
          `insert into ${this.schema}.postings(term, chunk, tf) select * from unnest($1::text[], $2::bigint[], $3::int[])`,
          [terms, ids, tfs],
        );
      }
      await this.client.query(
        `insert into ${this.schema}.sources(source, hash) values ($1, $2) on conflict (source) do update set hash = excluded.hash`,
        [source, hash],
      );
    });
  }

  async removeSource(source: string): Promise<void> {
    await this.transaction(async () => {
      await this.client.query(`delete from ${this.schema}.chunks where source = $1`, [source]);
      await this.client.query(`delete from ${this.schema}.sources where source = $1`, [source]);
    });
  }

  async clear(): Promise<void> {
    await this.transaction(async () => {
      await this.client.query(`delete from ${this.schema}.chunks`);
      await this.client.query(`delete from ${this.schema}.sources`);
    });
  }

  async countChunks(): Promise<number> {
    if (!(await this.hasTables())) return 0;
    const r = await this.client.query(`select count(*)::int as n from ${this.schema}.chunks`);
    return r.rows[0].n as number;
  }

  /** FTS5's bm25(): idf = ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, tf saturation k1, length norm b; common terms dropped as in selectiveTerms(). */
  async lexicalSearch(terms: string[], k: number): Promise<StoreHit[]> {
    const distinct = [...new Set(terms)];
    if (distinct.length === 0 || k <= 0) return [];
    const r = await this.client.query(
      `with stats as (select count(*)::float8 as n, coalesce(avg(term_count), 1)::float8 as avgdl from ${this.schema}.chunks),
       df as (select term, count(*)::float8 as df from ${this.schema}.postings where term = any($1::text[]) group by term),
       -- the same pruning as selectiveTerms() in store.ts: terms in half the chunks or more, unless all are
       idf as (select df.term, greatest(ln((stats.n - df.df + 0.5) / (df.df + 0.5)), 1e-6) as idf from df, stats
               where df.df < stats.n / 2 or not exists (select 1 from df d2 where d2.df < stats.n / 2))
       select c.chunk_id, sum(idf.idf * (p.tf * ($3::float8 + 1)) / (p.tf + $3::float8 * (1 - $4::float8 + $4::float8 * c.term_count / stats.avgdl))) as score
       from ${this.schema}.postings p join idf on idf.term = p.term join ${this.schema}.chunks c on c.id = p.chunk, stats
       group by c.chunk_id order by score desc, c.chunk_id limit $2`,
      [distinct, k + 16, BM25_K1, BM25_B],
    );
    return rankHits(r.rows.map((row: { chunk_id: string; score: number }) => ({ chunkId: row.chunk_id, score: Number(row.score) })), k);
  }

  async trigramSearch(question: string, k: number): Promise<StoreHit[]> {
    const text = question.normalize("NFC");
    // The default threshold (0.6) would drop paraphrased questions; candidates come from the GIN trigram index.
    return this.transaction(async () => {
      await this.client.query("set local pg_trgm.word_similarity_threshold = 0.1");
      const r = await this.client.query(
        `select chunk_id, word_similarity($1, search_text) as score from ${this.schema}.chunks
         where $1 <% search_text order by score desc, chunk_id limit $2`,
        [text, k],
      );
      return r.rows.map((row: { chunk_id: string; score: number }) => ({ chunkId: row.chunk_id, score: Number(row.score) }));
    });
  }

  async vectorSearch(query: Float32Array, k: number): Promise<StoreHit[]> {
    const vec = Array.from(query);
    const sql = this.pgvector
      ? `select chunk_id, 1 - (embedding::vector <=> $1::real[]::vector) as score from ${this.schema}.chunks
         where embedding is not null order by score desc, chunk_id limit $2`
      : `select chunk_id, (select sum(a::float8 * b::float8) from unnest(embedding, $1::real[]) as t(a, b)) as score
         from ${this.schema}.chunks where embedding is not null order by score desc, chunk_id limit $2`;
    const r = await this.client.query(sql, [vec, k]);
    return rankHits(r.rows.map((row: { chunk_id: string; score: number }) => ({ chunkId: row.chunk_id, score: Number(row.score) })), k);
  }

  async getChunks(chunkIds: string[]): Promise<Map<string, Omit<StoredChunk, "terms" | "embedding">>> {
    const r = await this.client.query(
      `select chunk_id, source, heading_path, citation, text from ${this.schema}.chunks where chunk_id = any($1::text[])`,
      [chunkIds],
    );
    return new Map(
      r.rows.map((row: { chunk_id: string; source: string; heading_path: string[]; citation: string; text: string }) => [
        row.chunk_id,
        { chunkId: row.chunk_id, source: row.source, headingPath: row.heading_path, citation: row.citation, text: row.text },
      ]),
    );
  }

  /** Drops the whole index (its schema). */
  async drop(): Promise<void> {
    await this.client.query(`drop schema if exists ${this.schema} cascade`);
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  private async hasTables(): Promise<boolean> {
    const r = await this.client.query("select 1 from information_schema.tables where table_schema = $1 and table_name = 'meta'", [this.schema]);
    return (r.rowCount ?? 0) > 0;
  }

  async atomically<T>(work: () => Promise<T>): Promise<T> {
    return this.transaction(work);
  }

  /** A transaction, or part of the one already open (atomically()). */
  private async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    await this.client.query("begin");
    this.inTransaction = true;
    try {
      const result = await work();
      await this.client.query("commit");
      return result;
    } catch (error) {
      await this.client.query("rollback");
      throw error;
    } finally {
      this.inTransaction = false;
    }
  }
}
