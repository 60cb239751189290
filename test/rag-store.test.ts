// The embedded store's own inverted lists under updates: after chunks are added, replaced and removed (blocks of
// three postings, written every few postings, so that blocks fill, split, shrink and vanish mid-update), every
// search equals BM25 worked out from the chunks that remain, and a fresh index of the same chunks; a failed update
// leaves nothing behind; an index of the first (FTS5) layout is refused for search and rebuilt on write.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteRagStore } from "../src/rag/sqlite-store.js";
import { selectiveTerms, type StoredChunk } from "../src/rag/store.js";
import { tempDir } from "./rag-helpers.js";

const root = tempDir("rag-store");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const VOCAB = ["임금", "휴가", "해고", "보증금", "임차인", "근로자", "기간", "예고", "연차", "법"];
let seed = 11;
const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

/** Chunks of random terms from a small vocabulary (repeats included, so tf > 1 happens). */
function chunks(source: string, n: number, tag: string): StoredChunk[] {
  return Array.from({ length: n }, (_, i) => ({
    chunkId: `${source}#${tag}${i}`,
    source,
    headingPath: [],
    citation: source,
    text: "",
    terms: Array.from({ length: 1 + Math.floor(rand() * 8) }, () => VOCAB[Math.floor(rand() * VOCAB.length)]!),
  }));
}

/** BM25 as FTS5 defines it, over the chunks that should be in the index, best first, ties by chunk id. */
function reference(all: StoredChunk[], query: string[], k: number): { chunkId: string; score: number }[] {
  const N = all.length;
  const avgdl = all.reduce((s, c) => s + c.terms.length, 0) / N;
  const df = new Map<string, number>();
  for (const c of all) for (const t of new Set(c.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const terms = selectiveTerms([...new Set(query)], df, N);
  return all
    .map((c) => ({
      chunkId: c.chunkId,
      matched: terms.some((t) => c.terms.includes(t)),
      score: terms.reduce((score, t) => {
        const n = df.get(t) ?? 0;
        const f = c.terms.filter((x) => x === t).length;
        const idf = Math.max(Math.log((N - n + 0.5) / (n + 0.5)), 1e-6);
        return score + (f === 0 ? 0 : (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * c.terms.length) / avgdl)));
      }, 0),
    }))
    .filter((h) => h.matched)
    .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
    .slice(0, k);
}

const QUERIES = [["임금"], ["휴가", "연차"], ["보증금", "임차인", "기간"], ["법", "예고", "해고", "근로자"], ["없는말"]];

async function expectMatches(store: SqliteRagStore, live: StoredChunk[]): Promise<void> {
  expect(await store.countChunks()).toBe(live.length);
  for (const q of QUERIES) {
    const got = await store.lexicalSearch(q, 8);
    const want = reference(live, q, 8);
    expect(got.map((h) => h.chunkId)).toEqual(want.map((h) => h.chunkId));
    got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 12));
  }
}

describe("embedded store postings under updates", () => {
  it("equal BM25 of the remaining chunks after adds, replacements and removals, and a fresh index of them", async () => {
    const store = SqliteRagStore.open(path.join(root, "updated"), { create: true, blockSize: 3, flushAt: 7 });
    const live = new Map<string, StoredChunk[]>();
    const put = async (source: string, list: StoredChunk[]) => {
      await store.replaceSource(source, `h-${source}-${list.length}`, list);
      live.set(source, list);
    };
    await store.atomically(async () => {
      await put("a", chunks("a", 12, "v1"));
      await put("b", chunks("b", 9, "v1"));
      await put("c", chunks("c", 5, "v1"));
      // Replaced within the same update: the buffered postings of the first version must not survive.
      await put("b", chunks("b", 7, "v2"));
    });
    await expectMatches(store, [...live.values()].flat());
    await put("b", chunks("b", 11, "v3"));
    await store.removeSource("a");
    live.delete("a");
    await expectMatches(store, [...live.values()].flat());
    await store.atomically(async () => {
      await put("d", chunks("d", 6, "v1"));
      await store.removeSource("c");
      live.delete("c");
      await put("a", chunks("a", 4, "v2"));
    });
    const remaining = [...live.values()].flat();
    await expectMatches(store, remaining);

    const fresh = SqliteRagStore.open(path.join(root, "fresh"), { create: true });
    await fresh.atomically(async () => {
      for (const [source, list] of [...live].reverse()) await fresh.replaceSource(source, "h", list);
    });
    for (const q of QUERIES) expect(await fresh.lexicalSearch(q, 8)).toEqual(await store.lexicalSearch(q, 8));
    await fresh.close();

    await store.clear();
    expect(await store.countChunks()).toBe(0);
    expect(await store.lexicalSearch(["임금"], 5)).toEqual([]);
    await put("e", chunks("e", 5, "v1"));
    await expectMatches(store, live.get("e")!);
    await store.close();
  });

  it("leaves the index as it was when an update fails midway", async () => {
    const store = SqliteRagStore.open(path.join(root, "rollback"), { create: true, blockSize: 3, flushAt: 7 });
    const first = chunks("a", 10, "v1");
    await store.replaceSource("a", "h1", first);
    await expect(
      store.atomically(async () => {
        await store.replaceSource("a", "h2", chunks("a", 6, "v2"));
        await store.replaceSource("b", "h", chunks("b", 6, "v1"));
        throw new Error("disk full");
      }),
    ).rejects.toThrow("disk full");
    await expectMatches(store, first);
    expect(await store.listSources()).toEqual(new Map([["a", "h1"]]));
    await store.close();
  });
});

describe("an index of the first layout (SQLite FTS5)", () => {
  it("is refused for search with a message saying to re-index, and emptied when opened to write", async () => {
    const dir = path.join(root, "legacy");
    fs.mkdirSync(dir);
    const { Database } = createRequire(import.meta.url)("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");
    const db = new Database(path.join(dir, "index.sqlite"));
    db.exec(
      "create table sources(source text primary key, hash text not null); insert into sources values ('x.md', 'h');" +
        "create virtual table chunk_terms using fts5(terms);",
    );
    db.close();
    expect(() => SqliteRagStore.open(dir, { create: false })).toThrow(/first layout \(SQLite FTS5\).*localtune rag index/);
    const store = SqliteRagStore.open(dir, { create: true });
    expect(await store.listSources()).toEqual(new Map());
    await store.close();
  });
});
