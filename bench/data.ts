// Benchmark of `data prepare`: generates a corpus (default 200 MB: Korean statute-style Markdown, English text and
// Q/A JSONL, with planted exact and near duplicates) in a temporary folder, prepares it, prints MB/s and peak RSS.
// Usage: npm run bench:data [-- --mb 200 --model models/stories260K.gguf --runs 1]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { prepareDataset } from "../src/data/index.js";

const { values } = parseArgs({ options: { mb: { type: "string", default: "200" }, model: { type: "string" }, runs: { type: "string", default: "1" } } });
const targetBytes = Number(values.mb) * 1e6;

// Deterministic generator so every run prepares the same corpus.
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

const law = fs.readFileSync("test/fixtures/ko-law/labor_standards_근로기준법.md", "utf8");
const koWords = [...new Set(law.split(/\s+/).filter((w) => /^[가-힣]{2,}/.test(w)))];
const titles = [...law.matchAll(/^##### 제\d+조 \(([^)]+)\)/gm)].map((m) => m[1]!);
const enWords = "the employer shall grant paid leave to workers who have attended at least eighty percent of working days in a year and must pay wages directly in full at least once a month".split(" ");

const sentence = (words: string[], n: number) => Array.from({ length: n }, () => pick(words)).join(" ") + ".";
function koreanStatute(i: number): string {
  let s = `---\n제목: 가상법 ${i}\n---\n\n# 가상법 ${i}\n\n`;
  for (let ch = 1; ch <= 5; ch++) {
    s += `## 제${ch}장 ${pick(titles)}\n\n`;
    for (let a = 1; a <= 40; a++) {
      s += `##### 제${(ch - 1) * 40 + a}조 (${pick(titles)})\n\n`;
      const paragraphs = 1 + Math.floor(rand() * 4);
      for (let p = 0; p < paragraphs; p++) s += `**${"①②③④"[p]}** ${Array.from({ length: 2 + Math.floor(rand() * 3) }, () => sentence(koWords, 8 + Math.floor(rand() * 12))).join(" ")}\n\n`;
    }
  }
  return s;
}
const englishDoc = () => Array.from({ length: 400 }, () => sentence(enWords, 10 + Math.floor(rand() * 15))).join("\n\n");
const qaLines = (n: number) => Array.from({ length: n }, () => JSON.stringify({ question: sentence(koWords, 6), answer: sentence(koWords, 12) })).join("\n") + "\n";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-bench-data-"));
const corpus = path.join(dir, "corpus");
fs.mkdirSync(corpus);
let bytes = 0;
let files = 0;
let planted = 0;
const started = performance.now();
while (bytes < targetBytes) {
  const k = files % 10;
  const text = k === 9 ? qaLines(2000) : k === 8 ? englishDoc() : koreanStatute(files);
  const ext = k === 9 ? "jsonl" : k === 8 ? "txt" : "md";
  fs.writeFileSync(path.join(corpus, `doc${String(files).padStart(5, "0")}.${ext}`), text);
  bytes += Buffer.byteLength(text);
  files++;
  // Plant an exact copy every 37 files and a near copy (one sentence changed) every 41.
  if (files % 37 === 0 && ext === "md") {
    fs.writeFileSync(path.join(corpus, `dup${files}.md`), text);
    bytes += Buffer.byteLength(text);
    planted++;
  }
  if (files % 41 === 0 && ext === "md") {
    const near = text.replace(/\*\*①\*\* [^\n]*/, "**①** 바뀐 문장입니다.");
    fs.writeFileSync(path.join(corpus, `near${files}.md`), near);
    bytes += Buffer.byteLength(near);
    planted++;
  }
}
console.log(`corpus: ${(bytes / 1e6).toFixed(1)} MB in ${files + planted} files (${planted} planted duplicates), generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const seconds: number[] = [];
for (let run = 0; run < Number(values.runs); run++) {
  const t0 = performance.now();
  let lastPrint = 0;
  const result = await prepareDataset(
    { inputs: [corpus], out: path.join(dir, `ds${run}`), model: values.model, force: true },
    {
      onProgress: (p) => {
        const now = performance.now();
        // Every 5 s, and once at the end of each dedup step (its progress line is the one the CLI shows).
        if (now - lastPrint > 5000 || (p.phase === "dedup" && p.done === p.total)) {
          lastPrint = now;
          const rss = `rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB`;
          process.stderr.write(`  ${p.phase}${p.step ? ` ${p.step}` : ""} ${p.unit === "bytes" ? `${(p.done / 1e6).toFixed(0)}/${(p.total / 1e6).toFixed(0)} MB` : `${p.done}/${p.total} records`}, ${rss}\n`);
        }
      },
    },
  );
  const s = (performance.now() - t0) / 1000;
  seconds.push(s);
  const st = result.stats;
  console.log(
    `run ${run + 1}: ${s.toFixed(1)} s, ${(bytes / 1e6 / s).toFixed(2)} MB/s; records train/val/test ${st.splits.train.records}/${st.splits.val.records}/${st.splits.test.records}; ` +
      `removed docs exact ${st.documents.exactDuplicates} near ${st.documents.nearDuplicates}, chunks exact ${st.chunks.exactDuplicates} near ${st.chunks.nearDuplicates} cross-split ${st.chunks.crossSplit}`,
  );
  fs.rmSync(path.join(dir, `ds${run}`), { recursive: true, force: true });
}
seconds.sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)]!;
console.log(`median: ${median.toFixed(1)} s = ${(bytes / 1e6 / median).toFixed(2)} MB/s (${values.model ? `tokenizer ${values.model}` : "estimated tokens, no model"}); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
fs.rmSync(dir, { recursive: true, force: true });
