// `localtune data prepare|stats`: build a dataset folder from the user's files and report on it (logic in src/data/).
import type { Command } from "commander";
import { formatDatasetStats, prepareDataset, readDatasetStats } from "../../data/index.js";
import { msg } from "../../i18n/index.js";
import { finiteNumber, positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

interface PrepareFlags {
  out: string;
  model?: string;
  include?: string[];
  exclude?: string[];
  maxTokens?: number;
  overlap?: number;
  nearDup?: number;
  seed?: number;
  val?: number;
  test?: number;
  strict?: boolean;
  promptColumn?: string;
  responseColumn?: string;
  systemColumn?: string;
  systemPrompt?: string;
  chatTemplate?: string;
  force?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerData(program: Command): void {
  const data = program.command("data").description("prepare training and evaluation data from your files / 내 파일로 학습·평가 데이터 준비");

  data
    .command("prepare")
    .description(
      "read .txt .md .html .pdf .docx and instruction data (.jsonl .json .csv), normalise, deduplicate, chunk, split by document,\n" +
        "and write <out>/{train,val,test}.jsonl, manifest.json, stats.json and a tokenized cache (with --model)\n" +
        "텍스트·문서와 지시 데이터를 읽어 정규화, 중복 제거, 청크 분할, 문서 단위 분할 후 데이터셋 폴더를 만듭니다",
    )
    .argument("<inputs...>", "files and folders (folders are read recursively) / 파일과 폴더(하위 폴더 포함)")
    .requiredOption("--out <dir>", "dataset folder to create / 만들 데이터셋 폴더")
    .option("--model <gguf>", "model whose tokenizer and chat template to use; without it tokens are estimated / 토크나이저·대화 템플릿을 쓸 모델")
    .option("--include <glob>", "only files matching this glob, relative to each input folder (repeatable) / 포함할 파일 글롭", collect)
    .option("--exclude <glob>", "leave out files matching this glob (repeatable) / 제외할 파일 글롭", collect)
    .option("--max-tokens <n>", "largest chunk in tokens (default 512) / 청크 최대 토큰", positiveInt("--max-tokens"))
    .option("--overlap <n>", "tokens repeated between chunks of a cut section (default 64) / 청크 겹침 토큰", finiteNumber("--overlap"))
    .option("--near-dup <jaccard>", "near-duplicate threshold on character 5-shingles (default 0.8) / 유사 중복 기준", finiteNumber("--near-dup"))
    .option("--seed <n>", "seed of the document split (default 42) / 분할 시드", finiteNumber("--seed"))
    .option("--val <ratio>", "share of documents for validation (default 0.05) / 검증 문서 비율", finiteNumber("--val"))
    .option("--test <ratio>", "share of documents for testing (default 0.05) / 시험 문서 비율", finiteNumber("--test"))
    .option("--strict", "stop at the first bad file or line instead of skipping it / 잘못된 파일·줄에서 멈춤")
    .option("--prompt-column <name>", "CSV column of the user turn (default: recognised, e.g. Q, question, prompt) / 질문 열")
    .option("--response-column <name>", "CSV column of the assistant turn (default: recognised, e.g. A, answer, output) / 답변 열")
    .option("--system-column <name>", "CSV column of a system prompt / 시스템 프롬프트 열")
    .option("--system-prompt <text>", "system prompt for conversations without one / 시스템 프롬프트가 없는 대화에 넣을 프롬프트")
    .option("--chat-template <name>", 'node-llama-cpp chat wrapper, default "auto" (the model\'s own template) / 대화 템플릿')
    .option("--force", "replace an existing --out folder / 기존 폴더 교체")
    .option("--json", "print the stats as JSON")
    .action(async (inputs: string[], o: PrepareFlags) => {
      const read = new ProgressBar({ label: "data prepare", unit: "MB" });
      const dedup = new ProgressBar({ label: "data dedup", unit: "records" });
      const write = new ProgressBar({ label: "data write", unit: "records" });
      const result = await prepareDataset(
        {
          inputs,
          out: o.out,
          model: o.model,
          include: o.include,
          exclude: o.exclude,
          maxTokens: o.maxTokens,
          overlapTokens: o.overlap,
          nearDupThreshold: o.nearDup,
          seed: o.seed,
          valRatio: o.val,
          testRatio: o.test,
          strict: o.strict,
          csvPromptColumn: o.promptColumn,
          csvResponseColumn: o.responseColumn,
          csvSystemColumn: o.systemColumn,
          systemPrompt: o.systemPrompt,
          chatTemplate: o.chatTemplate,
          force: o.force,
        },
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
