// `localtune rag index|search|ask|eval`: retrieval over the user's documents (options in, one rag/ function, print).
import type { Command } from "commander";
import { msg } from "../../i18n/index.js";
import { ANALYZERS, type AnalyzerName } from "../../rag/analyzer.js";
import { askRag } from "../../rag/answer.js";
import { evalRag } from "../../rag/eval.js";
import { indexRag } from "../../rag/indexer.js";
import { searchRag, type RagHit } from "../../rag/retriever.js";
import { addCtxOption } from "../context-option.js";
import { finiteNumber, positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

type Gpu = "auto" | "cpu" | "cuda" | "vulkan" | "metal";
interface SearchFlags {
  index: string;
  store?: string;
  k?: number;
  embedModel?: string;
  lexical?: "bm25" | "trgm";
  thesaurus?: string;
  gpu?: Gpu;
  json?: boolean;
}

const storeHelp = "postgres://user:pass@host/db: keep the index in PostgreSQL (then --index is the index name) / 인덱스를 PostgreSQL에 저장";
const embedHelp = "GGUF embedding model: adds dense vectors fused with BM25 by reciprocal rank / 임베딩 모델(BM25와 RRF로 결합)";

function hitLines(hits: RagHit[]): string {
  return hits
    .map((h) => {
      const scores = Object.entries(h.scores).map(([name, v]) => `${name} ${v.toFixed(4)}`).join(", ");
      const preview = h.text.replace(/\s+/g, " ").slice(0, 100);
      return `${h.rank}. ${h.citation}  [${h.score.toFixed(4)}${scores ? `; ${scores}` : ""}]\n   ${h.source} > ${h.headingPath.join(" > ")}\n   ${preview}`;
    })
    .join("\n");
}

export function registerRag(program: Command): void {
  const rag = program
    .command("rag")
    .description("retrieval-augmented generation over your documents / 내 문서를 검색해 답하는 RAG");

  rag
    .command("index")
    .description(
      "index a prepared dataset folder, folders of .md/.txt files, or files; re-running updates only changed and removed sources\n" +
        "준비된 데이터셋 폴더나 .md/.txt 파일을 색인합니다. 다시 실행하면 바뀌거나 없어진 소스만 갱신합니다",
    )
    .argument("<inputs...>", "dataset folder, document folder or files / 데이터셋 폴더, 문서 폴더 또는 파일")
    .requiredOption("--index <dir>", "index folder (or index name with --store) / 인덱스 폴더")
    .option("--store <url>", storeHelp)
    .option("--analyzer <name>", `lexical analyzer: ${ANALYZERS.join(", ")} (default morph+bigram, best measured on Korean) / 어휘 분석기`)
    .option("--embed-model <gguf>", embedHelp)
    .option("--rebuild", "drop the index first (to change analyzer or embedding model) / 처음부터 다시 색인")
    .option("--gpu <backend>", "auto, cpu, cuda, vulkan or metal (embedding model only)")
    .option("--json", "print the report as JSON")
    .action(async (inputs: string[], o: { index: string; store?: string; analyzer?: AnalyzerName; embedModel?: string; rebuild?: boolean; gpu?: Gpu; json?: boolean }) => {
      const bar = new ProgressBar({ label: "rag index", unit: "sources" });
      const report = await indexRag(inputs, o, (p) => bar.update(p.done, p.total));
      bar.done();
      if (o.json) return console.log(JSON.stringify(report, null, 2));
      console.log(
        msg(
          {
            en: "{chunks} chunks in {index} ({store}); sources added {added}, updated {updated}, removed {removed}, unchanged {unchanged}; {seconds} s",
            ko: "{index}에 청크 {chunks}개 ({store}); 소스 추가 {added}, 갱신 {updated}, 삭제 {removed}, 그대로 {unchanged}; {seconds}초",
          },
          {
            chunks: report.chunks,
            index: o.index,
            store: report.store,
            added: report.added.length,
            updated: report.updated.length,
            removed: report.removed.length,
            unchanged: report.unchanged,
            seconds: report.seconds.toFixed(2),
          },
        ),
      );
      for (const line of report.skipped) console.log(msg({ en: "skipped: {line}", ko: "건너뜀: {line}" }, { line }));
      for (const note of report.notes) console.error(note);
    });

  const searchOptions = (cmd: Command) =>
    cmd
      .requiredOption("--index <dir>", "index folder (or index name with --store) / 인덱스 폴더")
      .option("--store <url>", storeHelp)
      .option("--k <n>", "number of chunks (default 5) / 가져올 청크 수", positiveInt("--k"))
      .option("--embed-model <gguf>", "the embedding model the index was built with (hybrid search) / 인덱스를 만든 임베딩 모델")
      .option("--lexical <mode>", "bm25 (default) or trgm (PostgreSQL pg_trgm word similarity)")
      .option("--thesaurus <tsv|none>", 'query expansion from everyday words to document wording: "ko-law" (default, built-in), "none", or a TSV file / 일상어→법령 용어 확장')
      .option("--gpu <backend>", "auto, cpu, cuda, vulkan or metal")
      .option("--json", "print JSON");

  searchOptions(
    rag
      .command("search")
      .description("retrieval only, no model: each hit with source, heading path (article) and score / 검색만 (모델 불필요)")
      .argument("<question>", "the question / 질문"),
  ).action(async (question: string, o: SearchFlags) => {
    const result = await searchRag(question, o);
    if (o.json) return console.log(JSON.stringify(result, null, 2));
    console.log(`${result.mode} · ${result.store}\n${hitLines(result.hits)}`);
  });

  searchOptions(
    addCtxOption(
      rag
        .command("ask")
        .description("retrieve, then answer with a model, citing sources as [1], [2] / 검색 후 모델이 [1], [2]로 출처를 밝혀 답함")
        .argument("<question>", "the question / 질문")
        .requiredOption("--model <gguf>", "GGUF model that writes the answer / 답을 쓰는 GGUF 모델"),
      "context window in tokens (default: training context, at most 4096)",
    )
      .option("--max-tokens <n>", "longest answer in tokens (default 256)", positiveInt("--max-tokens"))
      .option("--temperature <t>", "sampling temperature (default 0)", finiteNumber("--temperature")),
  ).action(async (question: string, o: SearchFlags & { model: string; ctx?: number; maxTokens?: number; temperature?: number }) => {
    const { ctx, ...rest } = o;
    const result = await askRag(question, { ...rest, ...(ctx !== undefined ? { contextSize: ctx } : {}) });
    if (o.json) return console.log(JSON.stringify(result, null, 2));
    console.log(result.answer.trim());
    console.log(`\n${msg({ en: "Sources", ko: "출처" })}:`);
    for (const s of result.sources) console.log(`[${s.number}] ${s.citation} (${s.source}, ${s.score.toFixed(4)})`);
    if (result.omitted.length > 0) {
      console.log(msg({ en: "not in the context (too long): {list}", ko: "컨텍스트에 넣지 못함 (너무 김): {list}" }, { list: result.omitted.map((x) => x.citation).join(", ") }));
    }
  });

  searchOptions(
    rag
      .command("eval")
      .description(
        'retrieval quality on a question set: recall@k, MRR, nDCG@k; qa.jsonl lines are {"question": "...", "gold": "근로기준법 제60조"}\n' +
          "질문 세트로 검색 품질 측정 (recall@k, MRR, nDCG@k)",
      )
      .requiredOption("--qa <jsonl>", "question set / 질문 세트"),
  ).action(async (o: SearchFlags & { qa: string }) => {
    const result = await evalRag(o.qa, o);
    if (o.json) return console.log(JSON.stringify(result, null, 2));
    for (const item of result.items.filter((i) => i.firstGoldRank === null)) {
      console.log(msg({ en: "missed: {q} (gold {gold}; got {got})", ko: "놓침: {q} (정답 {gold}; 검색 {got})" }, { q: item.question, gold: item.gold.join(", "), got: item.retrieved.slice(0, 3).join(", ") }));
    }
    console.log(
      `${result.questions} questions · ${result.mode} · recall@${result.k} ${result.recallAtK.toFixed(3)} · MRR ${result.mrr.toFixed(3)} · nDCG@${result.k} ${result.ndcgAtK.toFixed(3)} · ${result.meanLatencyMs.toFixed(1)} ms/question`,
    );
  });
}
