// The PostgreSQL store against a real server (LOCALTUNE_TEST_PG_URL, set by .ci/run): the same BM25 rankings as the
// embedded store on the same data, pg_trgm search, incremental updates, and the vector path the server supports.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evalRag } from "../src/rag/eval.js";
import { indexRag } from "../src/rag/indexer.js";
import { PostgresRagStore } from "../src/rag/postgres-store.js";
import { searchRag } from "../src/rag/retriever.js";
import { LAW_FILES, QA_FILE, SHORT_DOCS, STORIES, tempDir } from "./rag-helpers.js";

const url = process.env.LOCALTUNE_TEST_PG_URL;
if (!url) console.warn("skipped test/rag-postgres.test.ts: LOCALTUNE_TEST_PG_URL is not set (.ci/run starts PostgreSQL 15 and sets it)");

describe.skipIf(!url)("PostgreSQL store (LOCALTUNE_TEST_PG_URL)", () => {
  const pgIndex = `t${process.pid}`;
  let root: string;
  let sqliteIndex: string;
  beforeAll(async () => {
    root = tempDir("rag-pg");
    sqliteIndex = path.join(root, "idx");
    await indexRag(LAW_FILES, { index: sqliteIndex });
    await indexRag(LAW_FILES, { index: pgIndex, store: url! });
  });
  afterAll(async () => {
    for (const name of [pgIndex, `${pgIndex}_vec`]) {
      const store = await PostgresRagStore.open(url!, name, { create: false });
      await store.drop();
      await store.close();
    }
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("ranks like the embedded store: same chunks in the same order, same BM25 scores", async () => {
    const questions = fs
      .readFileSync(QA_FILE, "utf8")
      .split("\n")
      .filter(Boolean)
      .slice(0, 15)
      .map((l) => (JSON.parse(l) as { question: string }).question);
    for (const q of questions) {
      const a = await searchRag(q, { index: sqliteIndex, k: 10 });
      const b = await searchRag(q, { index: pgIndex, store: url!, k: 10 });
      expect(b.hits.map((h) => h.chunkId)).toEqual(a.hits.map((h) => h.chunkId));
      b.hits.forEach((h, i) => expect(h.score).toBeCloseTo(a.hits[i]!.score, 9));
    }
    const evalA = await evalRag(QA_FILE, { index: sqliteIndex, k: 5 });
    const evalB = await evalRag(QA_FILE, { index: pgIndex, store: url!, k: 5 });
    expect(evalB.recallAtK).toBe(evalA.recallAtK);
    expect(evalB.mrr).toBeCloseTo(evalA.mrr, 12);
  });

  it("searches with pg_trgm word similarity", async () => {
    const result = await searchRag("연차 유급휴가", { index: pgIndex, store: url!, k: 5, lexical: "trgm" });
    expect(result.mode).toBe("trgm");
    expect(result.hits.length).toBeGreaterThan(0);
    expect(result.hits.map((h) => h.citation)).toContain("근로기준법 제60조(연차 유급휴가)");
    expect(result.hits[0]!.scores.trgm).toBeGreaterThan(0.5);
  });

  it("updates incrementally: an unchanged re-run touches nothing", async () => {
    const report = await indexRag(LAW_FILES, { index: pgIndex, store: url! });
    expect(report.unchanged).toBe(LAW_FILES.length);
    expect(report.added.length + report.updated.length + report.removed.length).toBe(0);
  });

  it("stores vectors and ranks them like the embedded store's exact scan, saying which vector path it uses", async () => {
    // A few short articles: stories260K reads Korean as byte tokens (3 per syllable), so long ones are slow to embed.
    const docs = path.join(root, "short");
    fs.mkdirSync(docs);
    SHORT_DOCS.forEach((text, i) => fs.writeFileSync(path.join(docs, `a${i}.md`), text));
    const vecSqlite = path.join(root, "vec");
    await indexRag([docs], { index: vecSqlite, embedModel: STORIES, gpu: "cpu" });
    const report = await indexRag([docs], { index: `${pgIndex}_vec`, store: url!, embedModel: STORIES, gpu: "cpu" });
    expect(report.store).toMatch(/pgvector|exact scan over real\[\]/);
    const a = await searchRag("보증금 우선변제", { index: vecSqlite, k: 5, embedModel: STORIES, gpu: "cpu" });
    const b = await searchRag("보증금 우선변제", { index: `${pgIndex}_vec`, store: url!, k: 5, embedModel: STORIES, gpu: "cpu" });
    expect(b.mode).toBe("bm25+vector");
    expect(b.hits.map((h) => h.chunkId)).toEqual(a.hits.map((h) => h.chunkId));
    b.hits.forEach((h, i) => {
      if (h.scores.cosine !== undefined) expect(h.scores.cosine).toBeCloseTo(a.hits[i]!.scores.cosine!, 5);
    });
  });
});
