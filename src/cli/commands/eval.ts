// `localtune eval`: runs an evaluation suite (and held-out perplexity) on a model, writes eval.json, prints a table.
import type { Command } from "commander";
import { evaluateModel, formatEvalTable } from "../../eval/index.js";
import { parseQaStyleSetting, type QaStyleSetting } from "../../eval/qa-metrics.js";
import { getLang, msg } from "../../i18n/index.js";
import { MODEL_SPEC_HELP } from "../model-source-options.js";
import { positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

interface EvalCliOptions {
  model: string;
  adapter?: string;
  suite: string;
  ppl?: string;
  out: string;
  judgeModel?: string;
  judge: boolean;
  threads?: number;
  ctx?: number;
  qaStyle?: QaStyleSetting;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command("eval")
    .description(
      "Evaluate a model on a suite: QA EM/F1 (SQuAD v1.1 / KorQuAD v1.0 rules), cloze, multiple choice, LLM judge, perplexity.\n" +
        "평가 세트로 모델을 평가합니다: QA EM/F1 (SQuAD v1.1 / KorQuAD v1.0 규칙), 빈칸 채우기, 객관식, LLM 심판, 퍼플렉서티.",
    )
    .requiredOption("--model <model>", MODEL_SPEC_HELP)
    .option("--adapter <gguf>", "GGUF LoRA adapter applied to the model / 모델에 적용할 GGUF LoRA 어댑터")
    .requiredOption("--suite <jsonl>", "suite: one JSON object per line, kind qa|cloze|mc|judge / 한 줄에 JSON 하나인 평가 세트")
    .option("--ppl <text>", "held-out text file for perplexity / 퍼플렉서티용 평가 텍스트 파일")
    .option("--out <file>", "where to write eval.json / eval.json 경로", "eval.json")
    .option("--judge-model <gguf>", "model that judges judge items (default: --model) / 심판 모델 (기본: --model)")
    .option("--no-judge", "skip judge items (listed as skipped) / 심판 항목 건너뛰기")
    .option("--threads <n>", "CPU threads (default: all cores) / CPU 스레드 수", positiveInt("--threads"))
    .option("--ctx <n>", "context size for scoring, generation and the perplexity window / 문맥 길이", positiveInt("--ctx"))
    .option(
      "--qa-style <rules>",
      "QA EM/F1 rules for the whole suite: squad, korquad, or auto (KorQuAD when a question or its context has Hangul); overrides the suite's first line / " +
        "QA 채점 규칙: squad, korquad, auto (질문·지문에 한글이 있으면 KorQuAD); 평가 세트 첫 줄 설정보다 우선",
      parseQaStyleSetting,
    )
    .option("--json", "print eval.json to stdout instead of the table / 표 대신 JSON 출력")
    .addHelpText(
      "after",
      [
        "",
        "Suite lines / 평가 세트 예:",
        '  {"kind":"suite","style":"korquad"}   (optional first line: QA rules for every item / 선택: 모든 QA 항목의 채점 규칙)',
        '  {"kind":"qa","question":"Who is Lily?","answers":["a little girl"]}',
        '  {"kind":"cloze","prompt":"The dragon of Maple Hill is called","answer":"Pip"}',
        '  {"kind":"mc","question":"The sky is","choices":["green","blue"],"answer":1}',
        '  {"kind":"judge","prompt":"Tell a story","mode":"rubric","rubric":"has a dragon"}',
        "Perplexity and log-likelihoods come from node-llama-cpp for now. / 퍼플렉서티와 로그 가능도는 현재 node-llama-cpp로 계산합니다.",
      ].join("\n"),
    )
    .action(async (options: EvalCliOptions) => {
      const bar = new ProgressBar({ label: "eval", unit: "items" });
      const report = await evaluateModel({
        model: options.model,
        suite: options.suite,
        out: options.out,
        noJudge: !options.judge,
        ...(options.adapter !== undefined ? { adapter: options.adapter } : {}),
        ...(options.ppl !== undefined ? { ppl: options.ppl } : {}),
        ...(options.judgeModel !== undefined ? { judgeModel: options.judgeModel } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.ctx !== undefined ? { contextSize: options.ctx } : {}),
        ...(options.qaStyle !== undefined ? { qaStyle: options.qaStyle } : {}),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.done();
      if (options.json) {
        console.log(JSON.stringify(report, null, 2));
        return;
      }
      console.log(formatEvalTable(report, getLang()));
      console.log(msg({ en: "wrote {file} ({seconds} s)", ko: "{file} 저장 ({seconds}초)" }, { file: options.out, seconds: report.seconds.toFixed(1) }));
    });
}
