// `localtune data prepare|stats`: build a dataset folder from the user's files and report on it (logic in src/data/).
import type { Command } from "commander";
import { formatDatasetStats, prepareDataset, PrepareOptionsSchema, readDatasetStats } from "../../data/index.js";
import { msg } from "../../i18n/index.js";
import { ProgressBar } from "../progress.js";
import { addSchemaOptions } from "../schema-options.js";

/** Flag spellings of the prepare options where not the field's name; globs repeat (a glob may hold a comma: {a,b}). */
const PREPARE_FLAGS = {
  out: "--out <dir>",
  model: "--model <gguf>",
  include: "--include <glob>",
  exclude: "--exclude <glob>",
  overlapTokens: "--overlap <n>",
  nearDupThreshold: "--near-dup <jaccard>",
  valRatio: "--val <ratio>",
  testRatio: "--test <ratio>",
  csvPromptColumn: "--prompt-column <name>",
  csvResponseColumn: "--response-column <name>",
  csvSystemColumn: "--system-column <name>",
  systemPrompt: "--system-prompt <text>",
  chatTemplate: "--chat-template <name>",
};

export function registerData(program: Command): void {
  const data = program.command("data").description("prepare training and evaluation data from your files / 내 파일로 학습·평가 데이터 준비");

  const prepare = data
    .command("prepare")
    .description(
      "read .txt .md .html .pdf .docx and instruction data (.jsonl .json .csv), normalise, deduplicate, chunk, split by document,\n" +
        "and write <out>/{train,val,test}.jsonl, manifest.json, stats.json and a tokenized cache (with --model)\n" +
        "텍스트·문서와 지시 데이터를 읽어 정규화, 중복 제거, 청크 분할, 문서 단위 분할 후 데이터셋 폴더를 만듭니다",
    )
    .argument("<inputs...>", "files and folders (folders are read recursively) / 파일과 폴더(하위 폴더 포함)");
  const prepareValues = addSchemaOptions(prepare, PrepareOptionsSchema, { omit: ["inputs"], flags: PREPARE_FLAGS, repeat: ["include", "exclude"] });
  prepare
    .option("--json", "print the stats as JSON")
    .action(async (inputs: string[], o: Record<string, unknown>) => {
      const read = new ProgressBar({ label: "data prepare", unit: "MB" });
      const dedup = new ProgressBar({ label: "data dedup", unit: "records" });
      const write = new ProgressBar({ label: "data write", unit: "records" });
      const result = await prepareDataset(
        { inputs, ...prepareValues(o) },
        {
          onProgress: (p) =>
            p.phase === "read"
              ? read.update(Math.round(p.done / 1e5) / 10, Math.round(p.total / 1e5) / 10, p.file)
              : p.phase === "dedup"
                ? dedup.update(p.done, p.total, p.step)
                : write.update(p.done, p.total),
        },
      );
      read.done();
      dedup.done();
      write.done();
      for (const leftover of result.leftovers) console.error(msg({ en: "note: removed {path}, left by a run that was killed", ko: "참고: 중단된 실행이 남긴 {path}을(를) 지웠습니다" }, { path: leftover }));
      if (o.json) return console.log(JSON.stringify(result.stats, null, 2));
      console.log(formatDatasetStats({ dir: result.outDir, stats: result.stats, manifest: result.manifest }));
      console.log(msg({ en: "\nwrote {dir}", ko: "\n{dir}에 저장했습니다" }, { dir: result.outDir }));
    });

  data
    .command("stats")
    .description("print a dataset folder's statistics and whether the data is enough for each method / 데이터셋 통계와 방법별 충분성")
    .argument("<dataset-dir>", "folder written by `data prepare` / data prepare가 만든 폴더")
    .option("--json", "print stats.json as it is")
    .action((dir: string, o: { json?: boolean }) => {
      const summary = readDatasetStats(dir);
      if (o.json) return console.log(JSON.stringify(summary.stats, null, 2));
      console.log(formatDatasetStats(summary));
    });
}
