// RAG paths that need a model, with stories260K (a real but tiny English model: its embeddings and answers are poor
// for Korean, which is fine for checking the plumbing): dense vectors and fusion, model mismatch, `rag ask`, the CLI.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RagIndexMismatchError, RagQuestionTooLongError } from "../src/errors.js";
import { getLlamaRuntime } from "../src/native/llama-runtime.js";
import { askRag } from "../src/rag/answer.js";
import { indexRag } from "../src/rag/indexer.js";
import { searchRag } from "../src/rag/retriever.js";
import { chunkSearchText } from "../src/rag/store.js";
import { SHORT_DOCS, STORIES, tempDir } from "./rag-helpers.js";

let root: string;
let docs: string;
let index: string;
beforeAll(async () => {
  root = tempDir("rag-model");
  docs = path.join(root, "docs");
  fs.mkdirSync(docs);
  SHORT_DOCS.forEach((text, i) => fs.writeFileSync(path.join(docs, `a${i}.md`), text));
  index = path.join(root, "idx");
  await indexRag([docs], { index, embedModel: STORIES, gpu: "cpu" });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("dense vectors (--embed-model)", () => {
  it("cosine scores equal node-llama-cpp's own embedding similarity", async () => {
    const question = "대통령 임기는 몇 년인가?";
    const result = await searchRag(question, { index, k: 5, embedModel: STORIES, gpu: "cpu" });
    expect(result.mode).toBe("bm25+vector");
    const withCosine = result.hits.filter((h) => h.scores.cosine !== undefined);
    expect(withCosine.length).toBeGreaterThan(0);

    const llama = await getLlamaRuntime({ gpu: "cpu" });
    const model = await llama.loadModel({ modelPath: STORIES });
    const ctx = await model.createEmbeddingContext({ contextSize: 2048, threads: 1 });
    const q = await ctx.getEmbeddingFor(question);
    for (const hit of withCosine) {
      const d = await ctx.getEmbeddingFor(chunkSearchText(hit.citation, hit.text));
      expect(hit.scores.cosine!).toBeCloseTo(q.calculateCosineSimilarity(d), 4);
    }
    await ctx.dispose();
    await model.dispose();
  });

  it("fuses by reciprocal rank: each fused score is 1/(60 + BM25 rank) + 1/(60 + cosine rank)", async () => {
    const question = "보증금 우선변제";
    const fused = await searchRag(question, { index, k: 5, embedModel: STORIES, gpu: "cpu" });
    const lexical = await searchRag(question, { index, k: 20 });
    const lexRank = new Map(lexical.hits.map((h) => [h.chunkId, h.rank]));
    // Every chunk is among the 20 dense candidates: rank them by the cosine the retriever reported.
    const byCosine = [...fused.hits].sort((a, b) => b.scores.cosine! - a.scores.cosine! || (a.chunkId < b.chunkId ? -1 : 1));
    expect(fused.hits.length).toBe(SHORT_DOCS.length);
    for (const hit of fused.hits) {
      const lr = lexRank.get(hit.chunkId);
      const dr = byCosine.findIndex((h) => h.chunkId === hit.chunkId) + 1;
      expect(hit.score).toBeCloseTo((lr !== undefined ? 1 / (60 + lr) : 0) + 1 / (60 + dr), 12);
    }
  });

  it("refuses an embedding model other than the one the index was built with", async () => {
    const other = path.join(root, "other.gguf");
    const bytes = fs.readFileSync(STORIES);
    // Flip the last byte (inside the tensor data): still loadable, but a different model.
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    fs.writeFileSync(other, bytes);
    await expect(searchRag("질문", { index, embedModel: other, gpu: "cpu" })).rejects.toThrow(RagIndexMismatchError);
    await expect(indexRag([docs], { index, embedModel: other, gpu: "cpu" })).rejects.toThrow(/--rebuild/);
  });
});

describe("rag ask", () => {
  it("answers from numbered sources, best hit as [1], and reports sources with scores", async () => {
    const result = await askRag("연차 유급휴가는 며칠인가?", { index, model: STORIES, k: 3, gpu: "cpu", contextSize: 2048, maxTokens: 24 });
    expect(result.sources[0]!.number).toBe(1);
    expect(result.sources[0]!.citation).toBe("근로기준법 제60조(연차 유급휴가)");
    expect(result.sources.map((s) => s.number)).toEqual(result.sources.map((_, i) => i + 1));
    expect(typeof result.answer).toBe("string");
    expect(result.answer.length).toBeGreaterThan(0);
    expect(result.promptTokens).toBeLessThanOrEqual(2048 - 24);
    expect(result.cited.every((n) => n >= 1 && n <= result.sources.length)).toBe(true);
  });

  it("refuses a question longer than the context", async () => {
    await expect(
      askRag("연차 ".repeat(400), { index, model: STORIES, gpu: "cpu", contextSize: 256, maxTokens: 16 }),
    ).rejects.toThrow(RagQuestionTooLongError);
  });
});

describe("CLI", () => {
  it("rag search --json prints hits with source, heading path and score", () => {
    const out = execFileSync(process.execPath, ["bin/localtune.js", "rag", "search", "해고 예고", "--index", index, "--k", "2", "--json"], {
      encoding: "utf8",
    });
    const result = JSON.parse(out) as { hits: Array<{ citation: string; source: string; headingPath: string[]; score: number }> };
    expect(result.hits[0]!.citation).toBe("근로기준법 제26조(해고의 예고)");
    expect(result.hits[0]!.headingPath).toEqual(["제26조(해고의 예고)"]);
    expect(result.hits[0]!.source).toBe("a1.md");
    expect(result.hits[0]!.score).toBeGreaterThan(0);
  });
});
