// The embedded RAG index on the Korean statutes: retrieval quality on the question set, BM25 against a hand-written
// reference, incremental re-indexing by content hash, and the bad-input errors.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RagIndexEmptyError, RagIndexMismatchError, RagInputError } from "../src/errors.js";
import { analyze } from "../src/rag/analyzer.js";
import { evalRag } from "../src/rag/eval.js";
import { indexRag } from "../src/rag/indexer.js";
import { searchRag } from "../src/rag/retriever.js";
import { SqliteRagStore } from "../src/rag/sqlite-store.js";
import { LAW_FILES, QA_FILE, tempDir } from "./rag-helpers.js";

let root: string;
let index: string;
beforeAll(async () => {
  root = tempDir("rag");
  index = path.join(root, "index");
  await indexRag(LAW_FILES, { index });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("retrieval on ko-law", () => {
  it("finds 근로기준법 제60조 first for the annual-leave question", async () => {
    const result = await searchRag("연차 유급휴가는 며칠인가?", { index, k: 3 });
    expect(result.mode).toBe("bm25");
    expect(result.hits[0]!.citation).toBe("근로기준법 제60조(연차 유급휴가)");
    expect(result.hits[0]!.headingPath).toEqual(["제4장 근로시간과 휴식", "제60조(연차 유급휴가)"]);
    expect(result.hits[0]!.source).toBe("labor_standards_근로기준법.md");
    expect(result.hits[0]!.score).toBeGreaterThan(result.hits[1]!.score);
  });

  it("reaches lexical recall@5 >= 0.8 on the paraphrased question set", async () => {
    const result = await evalRag(QA_FILE, { index, k: 5 });
    expect(result.questions).toBeGreaterThanOrEqual(40);
    expect(result.recallAtK).toBeGreaterThanOrEqual(0.8);
    expect(result.mrr).toBeLessThanOrEqual(result.recallAtK);
  });

  it("is worse without the everyday-to-statute thesaurus (the expansion does the work it claims)", async () => {
    const withThesaurus = await evalRag(QA_FILE, { index, k: 5 });
    const without = await evalRag(QA_FILE, { index, k: 5, thesaurus: "none" });
    expect(without.recallAtK).toBeLessThan(withThesaurus.recallAtK);
  });
});

describe("BM25 scores", () => {
  it("equal a hand-written Okapi BM25 (FTS5's idf and k1 = 1.2, b = 0.75) on a three-document corpus", async () => {
    const dir = tempDir("rag-bm25");
    const docs = ["근로자 임금 임금 지급", "임대인 임차인 보증금 반환 기간", "근로자 휴가 휴게"];
    const files = docs.map((text, i) => {
      const file = path.join(dir, `d${i}.txt`);
      fs.writeFileSync(file, text);
      return file;
    });
    await indexRag(files, { index: path.join(dir, "idx"), analyzer: "morph" });
    const store = SqliteRagStore.open(path.join(dir, "idx"), { create: false });
    // Each chunk is indexed as "<citation>\n<text>"; the citation is the file name without extension.
    const termsOf = docs.map((text, i) => analyze(`d${i}\n${text}`, "morph"));
    // Terms in fewer than half the chunks: BM25 proper (commoner ones are dropped, see selectiveTerms).
    const query = analyze("임금 휴가", "morph");
    const N = termsOf.length;
    const avgdl = termsOf.reduce((s, t) => s + t.length, 0) / N;
    const expected = termsOf.map((terms) =>
      [...new Set(query)].reduce((score, q) => {
        const n = termsOf.filter((t) => t.includes(q)).length;
        const idf = Math.max(Math.log((N - n + 0.5) / (n + 0.5)), 1e-6);
        const f = terms.filter((t) => t === q).length;
        return score + (idf * f * 2.2) / (f + 1.2 * (1 - 0.75 + (0.75 * terms.length) / avgdl));
      }, 0),
    );
    const hits = await store.lexicalSearch(query, 3);
    await store.close();
    const chunks = await searchRag("임금 휴가", { index: path.join(dir, "idx"), k: 3, thesaurus: "none" });
    const bySource = new Map(chunks.hits.map((h) => [h.source, h.score]));
    expect(hits.length).toBe(2);
    expect(bySource.get("d0.txt")).toBeCloseTo(expected[0]!, 9);
    expect(bySource.get("d2.txt")).toBeCloseTo(expected[2]!, 9);
    expect(expected[1]).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("incremental re-indexing", () => {
  it("re-indexes only changed sources and drops removed ones", async () => {
    const dir = tempDir("rag-incr");
    const docs = path.join(dir, "docs");
    fs.mkdirSync(docs);
    for (const f of LAW_FILES.slice(0, 3)) fs.copyFileSync(f, path.join(docs, path.basename(f)));
    const idx = path.join(dir, "idx");
    const first = await indexRag([docs], { index: idx });
    expect(first.added.length).toBe(3);

    const again = await indexRag([docs], { index: idx });
    expect([again.added, again.updated, again.removed, again.unchanged]).toEqual([[], [], [], 3]);
    expect(again.chunks).toBe(first.chunks);

    const [a, b] = fs.readdirSync(docs).sort();
    fs.appendFileSync(path.join(docs, a!), "\n##### 제999조 (시험 조항)\n\n새로 추가된 시험용 조항입니다.\n");
    fs.rmSync(path.join(docs, b!));
    const third = await indexRag([docs], { index: idx });
    expect(third.updated).toEqual([a]);
    expect(third.removed).toEqual([b]);
    expect(third.unchanged).toBe(1);
    const hits = await searchRag("새로 추가된 시험용 조항", { index: idx, k: 1 });
    expect(hits.hits[0]!.citation).toMatch(/제999조\(시험 조항\)$/);
    const removedHits = await searchRag("시험", { index: idx, k: 500 });
    expect(removedHits.hits.some((h) => h.source === b)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("bad input", () => {
  it("a missing index says how to build one", async () => {
    await expect(searchRag("질문", { index: path.join(root, "nope") })).rejects.toThrow(RagIndexEmptyError);
  });

  it("an empty index says it holds no chunks", async () => {
    const dir = tempDir("rag-empty");
    fs.writeFileSync(path.join(dir, "empty.md"), "---\n제목: 빈 문서\n---\n");
    await indexRag([path.join(dir, "empty.md")], { index: path.join(dir, "idx") });
    await expect(searchRag("질문", { index: path.join(dir, "idx") })).rejects.toThrow(/holds no chunks/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("updating with another analyzer asks for --rebuild", async () => {
    await expect(indexRag(LAW_FILES, { index, analyzer: "bigram" })).rejects.toThrow(RagIndexMismatchError);
  });

  it("a malformed dataset line names the file and line", async () => {
    const dir = tempDir("rag-ds");
    fs.writeFileSync(path.join(dir, "train.jsonl"), '{"kind":"text","id":"x"}\n');
    await expect(indexRag([dir], { index: path.join(dir, "idx") })).rejects.toThrow(RagInputError);
    await expect(indexRag([dir], { index: path.join(dir, "idx") })).rejects.toThrow(/train\.jsonl:1/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("dataset folder input", () => {
  it("indexes text records of train/val/test.jsonl and lists skipped chat records", async () => {
    const dir = tempDir("rag-dataset");
    const text = {
      kind: "text",
      id: "abc#0",
      docId: "abc",
      source: "law.md",
      headingPath: ["제60조(연차 유급휴가)"],
      citation: "근로기준법 제60조(연차 유급휴가)",
      lang: "ko",
      text: "사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.",
    };
    const chat = { kind: "chat", id: "c#0", docId: "c", source: "chat.csv", lang: "ko", messages: [{ role: "user", content: "안녕" }] };
    fs.writeFileSync(path.join(dir, "train.jsonl"), `${JSON.stringify(text)}\n${JSON.stringify(chat)}\n`);
    const report = await indexRag([dir], { index: path.join(dir, "idx") });
    expect(report.chunks).toBe(1);
    expect(report.skipped.join("\n")).toMatch(/1 chat record/);
    const result = await searchRag("연차 휴가", { index: path.join(dir, "idx"), k: 1 });
    expect(result.hits[0]!.chunkId).toBe("abc#0");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
