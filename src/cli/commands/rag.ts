// `localtune rag index|search|ask|eval`: retrieval over the user's documents (options in, one rag/ function, print).
import type { Command } from "commander";
import { msg } from "../../i18n/index.js";
import { askRag, RagAskOptionsSchema } from "../../rag/answer.js";
import { RagIndexOptionsSchema, RagSearchOptionsSchema } from "../../rag/config.js";
import { evalRag } from "../../rag/eval.js";
import { indexRag } from "../../rag/indexer.js";
import { searchRag, type RagHit } from "../../rag/retriever.js";
import { addCtxOption } from "../context-option.js";
import { ProgressBar } from "../progress.js";
import { addSchemaOptions } from "../schema-options.js";

/** Flag spellings of the RAG schemas' fields: value names that say what to give. */
const RAG_FLAGS = { index: "--index <dir>", store: "--store <url>", embedModel: "--embed-model <gguf>", thesaurus: "--thesaurus <tsv|none>", lexical: "--lexical <mode>", gpu: "--gpu <backend>", model: "--model <gguf>" };

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

  const indexCommand = rag
    .command("index")
    .description(
      "index a prepared dataset folder, folders of .md/.txt files, or files; re-running updates only changed and removed sources\n" +
        "준비된 데이터셋 폴더나 .md/.txt 파일을 색인합니다. 다시 실행하면 바뀌거나 없어진 소스만 갱신합니다",
    )
    .argument("<inputs...>", "dataset folder, document folder or files / 데이터셋 폴더, 문서 폴더 또는 파일");
  const indexValues = addSchemaOptions(indexCommand, RagIndexOptionsSchema, { flags: RAG_FLAGS });
  indexCommand
    .option("--json", "print the report as JSON / 보고서를 JSON으로 출력")
    .action(async (inputs: string[], o: Record<string, unknown>) => {
      const bar = new ProgressBar({ label: "rag index", unit: "sources" });
      const report = await indexRag(inputs, indexValues(o), (p) => bar.update(p.done, p.total));
      bar.done();
      if (o.json === true) return console.log(JSON.stringify(report, null, 2));
      console.log(
        msg(
          {
            en: "{chunks} chunks in {index} ({store}); sources added {added}, updated {updated}, removed {removed}, unchanged {unchanged}; {seconds} s",
            ko: "{index}에 청크 {chunks}개 ({store}); 소스 추가 {added}, 갱신 {updated}, 삭제 {removed}, 그대로 {unchanged}; {seconds}초",
          },
          {
            chunks: report.chunks,
            index: o.index as string,
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

  const search = rag
    .command("search")
    .description("retrieval only, no model: each hit with source, heading path (article) and score / 검색만 (모델 불필요)")
    .argument("<question>", "the question / 질문");
  const searchValues = addSchemaOptions(search, RagSearchOptionsSchema, { flags: RAG_FLAGS });
  withJson(search).action(async (question: string, o: Record<string, unknown>) => {
    const result = await searchRag(question, searchValues(o));
    if (o.json === true) return console.log(JSON.stringify(result, null, 2));
    console.log(`${result.mode} · ${result.store}\n${hitLines(result.hits)}`);
  });

  const ask = rag
    .command("ask")
    .description("retrieve, then answer with a model, citing sources as [1], [2] / 검색 후 모델이 [1], [2]로 출처를 밝혀 답함")
    .argument("<question>", "the question / 질문");
  // The context size is --ctx, the one name it has on every command (with its older name --context-size).
  const askValues = addSchemaOptions(ask, RagAskOptionsSchema, { omit: ["contextSize"], flags: RAG_FLAGS });
  addCtxOption(ask, "context window in tokens (default: training context, at most 4096) / 컨텍스트 창 토큰 수 (기본: 학습 컨텍스트, 최대 4096)");
  withJson(ask).action(async (question: string, o: Record<string, unknown>) => {
    const ctx = o.ctx as number | undefined;
    const result = await askRag(question, { ...askValues(o), ...(ctx !== undefined ? { contextSize: ctx } : {}) });
    if (o.json === true) return console.log(JSON.stringify(result, null, 2));
    console.log(result.answer.trim());
    console.log(`\n${msg({ en: "Sources", ko: "출처" })}:`);
    for (const s of result.sources) console.log(`[${s.number}] ${s.citation} (${s.source}, ${s.score.toFixed(4)})`);
    if (result.omitted.length > 0) {
      console.log(msg({ en: "not in the context (too long): {list}", ko: "컨텍스트에 넣지 못함 (너무 김): {list}" }, { list: result.omitted.map((x) => x.citation).join(", ") }));
    }
  });

  const evalCommand = rag
    .command("eval")
    .description(
      'retrieval quality on a question set: recall@k, MRR, nDCG@k; qa.jsonl lines are {"question": "...", "gold": "근로기준법 제60조"}\n' +
        "질문 세트로 검색 품질 측정 (recall@k, MRR, nDCG@k)",
    )
    .requiredOption("--qa <jsonl>", "question set / 질문 세트");
  const evalValues = addSchemaOptions(evalCommand, RagSearchOptionsSchema, { flags: RAG_FLAGS });
  withJson(evalCommand).action(async (o: Record<string, unknown>) => {
    const result = await evalRag(o.qa as string, evalValues(o));
    if (o.json === true) return console.log(JSON.stringify(result, null, 2));
    for (const item of result.items.filter((i) => i.firstGoldRank === null)) {
      console.log(msg({ en: "missed: {q} (gold {gold}; got {got})", ko: "놓침: {q} (정답 {gold}; 검색 {got})" }, { q: item.question, gold: item.gold.join(", "), got: item.retrieved.slice(0, 3).join(", ") }));
    }
    console.log(
      `${result.questions} questions · ${result.mode} · recall@${result.k} ${result.recallAtK.toFixed(3)} · MRR ${result.mrr.toFixed(3)} · nDCG@${result.k} ${result.ndcgAtK.toFixed(3)} · ${result.meanLatencyMs.toFixed(1)} ms/question`,
    );
  });
}

/** --json of search, ask and eval: the result as JSON instead of lines for people. */
const withJson = (command: Command) => command.option("--json", "print JSON / JSON으로 출력");
