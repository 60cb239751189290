// RAG benchmark: index build time and query latency (p50/p95) at 10k and 100k chunks synthesised from the Korean
// statutes in test/fixtures/ko-law (articles with shuffled sentences, a passage of another article, shifted numbers).
// Usage: npm run bench:rag [-- --sizes 10000,100000 --analyzer morph+bigram]; PostgreSQL too when LOCALTUNE_TEST_PG_URL is set.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { TextRecord } from "../src/data/schema.js";
import { ANALYZERS, type AnalyzerName } from "../src/rag/analyzer.js";
import { indexRag } from "../src/rag/indexer.js";
import { markdownToRecords } from "../src/rag/markdown-sections.js";
import { PostgresRagStore } from "../src/rag/postgres-store.js";
import { RagRetriever } from "../src/rag/retriever.js";

const { values } = parseArgs({
  options: { sizes: { type: "string", default: "10000,100000" }, analyzer: { type: "string", default: "morph+bigram" }, "pg-sizes": { type: "string", default: "10000" } },
});
const analyzer = values.analyzer as AnalyzerName;
if (!ANALYZERS.includes(analyzer)) throw new Error(`--analyzer must be one of ${ANALYZERS.join(", ")}`);
const sizes = values.sizes.split(",").map(Number);
const pgUrl = process.env.LOCALTUNE_TEST_PG_URL;

const lawDir = path.resolve("test/fixtures/ko-law");
const articles = fs
  .readdirSync(lawDir)
  .filter((f) => f.endsWith(".md") && !f.startsWith("README"))
  .flatMap((f) => markdownToRecords(fs.readFileSync(path.join(lawDir, f), "utf8"), f));
const questions = fs
  .readFileSync(path.resolve("test/fixtures/ko-law-qa.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { question: string }).question);

/** A deterministic generator (LCG), so every run indexes the same corpus. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Writes `n` synthetic chunks as a prepared dataset folder (train.jsonl, 100 chunks per source). */
function synthesise(dir: string, n: number): void {
  const rand = lcg(n);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = articles[i % articles.length]!;
    const b = articles[Math.floor(rand() * articles.length)]!;
    const sentences = `${a.text}\n${b.text.slice(0, 300)}`.split(/(?<=다\.)\s*/);
    for (let j = sentences.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [sentences[j], sentences[k]] = [sentences[k]!, sentences[j]!];
    }
    const shift = i % 7;
    const text = sentences.join(" ").replace(/\d+/g, (d) => String(Number(d) + shift));
    const source = `synthetic/${Math.floor(i / 100)}.md`;
    const record: TextRecord = { kind: "text", id: `syn${i}`, docId: `syn${Math.floor(i / 100)}`, source, headingPath: a.headingPath, citation: `${a.citation} (변형 ${i})`, lang: "ko", text };
    lines.push(JSON.stringify(record));
  }
  fs.writeFileSync(path.join(dir, "train.jsonl"), `${lines.join("\n")}\n`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measure(label: string, n: number, index: string, store?: string): Promise<void> {
  const dataset = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-rag-"));
  synthesise(dataset, n);
  const report = await indexRag([dataset], { index, store, analyzer });
  const size = store ? 0 : fs.statSync(path.join(index, "index.sqlite")).size;
  const retriever = await RagRetriever.open({ index, store });
  for (const q of questions.slice(0, 5)) await retriever.search(q, 5); // warm-up: page cache, JIT
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const q of questions) {
      const started = performance.now();
      await retriever.search(q, 5);
      times.push(performance.now() - started);
    }
  }
  await retriever.close();
  times.sort((x, y) => x - y);
  console.log(
    `${label.padEnd(9)} ${String(report.chunks).padStart(7)} chunks  build ${report.seconds.toFixed(1).padStart(6)} s` +
      `  query p50 ${percentile(times, 0.5).toFixed(1).padStart(6)} ms  p95 ${percentile(times, 0.95).toFixed(1).padStart(6)} ms` +
      `  (${times.length} queries${size ? `, index ${(size / 2 ** 20).toFixed(0)} MiB` : ""}, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, load ${os.loadavg()[0]!.toFixed(1)})`,
  );
  fs.rmSync(dataset, { recursive: true, force: true });
}

console.log(`analyzer ${analyzer}, lexical only (BM25), k = 5, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), load ${os.loadavg()[0]!.toFixed(1)}`);
for (const n of sizes) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-rag-index-"));
  await measure("sqlite", n, path.join(dir, "index"));
  fs.rmSync(dir, { recursive: true, force: true });
}
if (pgUrl) {
  for (const n of values["pg-sizes"].split(",").map(Number)) {
    const name = `bench${process.pid}`;
    await measure("postgres", n, name, pgUrl);
    const store = await PostgresRagStore.open(pgUrl, name, { create: false });
    await store.drop();
    await store.close();
  }
} else {
  console.log("postgres: skipped (set LOCALTUNE_TEST_PG_URL to include it)");
}
