// `localtune ladder`: every method from prompt engineering to DAPT on the same data and budget, scored on the same
// held-out set; writes report.md, report.html and results.json and prints the table.
import type { Command } from "commander";
import { InvalidConfigError } from "../../errors.js";
import { getLang, msg } from "../../i18n/index.js";
import { allRungs, parseAddRung, runLadder, type LadderEvent, type LadderOptionsInput, type LadderResult } from "../../ladder/index.js";
import { reportTableMarkdown } from "../../report/index.js";
import { parseQaStyleSetting, type QaStyleSetting } from "../../eval/qa-metrics.js";
import { positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

interface LadderCliOptions {
  model: string;
  data: string[];
  eval: string;
  ppl?: string;
  out: string;
  budget: string;
  methods?: string;
  ctx: number;
  batch: number;
  checkpointActivations?: boolean;
  kernelLayouts?: boolean;
  seed: number;
  threads?: number;
  fewShot: number;
  examples?: string;
  ragPassages: number;
  judgeModel?: string;
  addRung: string[];
  qaStyle?: QaStyleSetting;
  json?: boolean;
}

function nonNegativeInt(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < 0) {
      throw new InvalidConfigError({ en: `${option} expects an integer >= 0, got "${value}".`, ko: `${option}에는 0 이상의 정수가 필요하지만 "${value}"이(가) 주어졌습니다.` });
    }
    return n;
  };
}

const splitList = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);

/** Progress of a ladder on stderr: one header per rung, then a bar for its training steps and one for its evaluation. */
export function ladderProgress(): (event: LadderEvent) => void {
  let bar: ProgressBar | undefined;
  let phase = "";
  return (event) => {
    if (event.type === "rung") {
      bar?.done();
      bar = undefined;
      process.stderr.write(msg({ en: "[{i}/{n}] {label}\n", ko: "[{i}/{n}] {label}\n" }, { i: event.index + 1, n: event.total, label: event.rung.label }));
    } else if (event.type === "step" || event.type === "eval") {
      const next = event.type;
      if (phase !== next || !bar) {
        bar?.done();
        bar = new ProgressBar({ label: next === "step" ? msg({ en: "  train", ko: "  학습" }) : msg({ en: "  eval", ko: "  평가" }), unit: next === "step" ? "steps" : "items" });
        phase = next;
      }
      if (event.type === "step") bar.update(event.step, event.totalSteps ?? event.step, `loss ${event.loss.toFixed(3)}`);
      else bar.update(event.done, event.total);
    } else {
      bar?.done();
      bar = undefined;
      phase = "";
    }
  };
}

/** Prints the ladder's table (or results.json with --json) and where the report went. */
export function printLadderResult(result: LadderResult, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify({ ...result.input, files: { results: result.resultsFile, ...result.written } }, null, 2));
    return;
  }
  console.log(reportTableMarkdown(result.input, getLang()));
  console.log(
    msg(
      { en: "\nwrote {md}, {html} and {results} in {seconds} s", ko: "\n{md}, {html}, {results} 저장 ({seconds}초)" },
      { md: result.written.markdown, html: result.written.html, results: result.resultsFile, seconds: result.seconds.toFixed(0) },
    ),
  );
}

export function registerLadder(program: Command): void {
  program
    .command("ladder")
    .description(
      "Run the method ladder (prompt, few-shot, RAG, prompt/prefix tuning, BitFit, LoRA r=2 and r=16, DAPT) under one budget and compare them on the same held-out set.\n" +
        "방법 사다리(프롬프트, 퓨샷, RAG, 프롬프트/프리픽스 튜닝, BitFit, LoRA r=2·r=16, DAPT)를 같은 예산으로 실행하고 같은 평가 데이터로 비교합니다.",
    )
    .requiredOption("--model <gguf>", "base model (GGUF) / 기반 모델")
    .requiredOption("--data <paths...>", "training documents (.txt/.md files, folders, or a dataset folder); RAG retrieves from them too / 학습 문서 (RAG 검색 대상이기도 함)")
    .requiredOption("--eval <jsonl>", "evaluation suite (qa, cloze, mc, judge items) / 평가 세트")
    .option("--ppl <text>", "held-out text for perplexity / 퍼플렉서티용 평가 텍스트")
    .option("--out <dir>", "folder for the report and every rung's run; an earlier ladder's output there is replaced / 보고서와 단계별 실행 폴더 (이전 사다리 결과는 교체)", "ladder")
    .option("--budget <budget>", 'per training rung: tokens ("50k") or time ("90s", "5m") / 학습 단계별 예산: 토큰("50k") 또는 시간("90s", "5m")', "50k")
    .option("--methods <ids>", "comma-separated rungs or method names (default: all) / 실행할 단계 (쉼표로 구분, 기본: 전부)")
    .option("--ctx <n>", "tokens per training sequence and perplexity window / 학습 시퀀스와 퍼플렉서티 창 길이", positiveInt("--ctx"), 128)
    .option("--batch <n>", "sequences per step / 스텝당 시퀀스 수", positiveInt("--batch"), 4)
    .option("--kernel-layouts", "on a quantized base: train faster with its matrices also in the CPU's AMX / repacked layout (more memory) / 양자화 기반에서 AMX/재배열 형식 사본으로 더 빠르게 학습 (메모리 더 씀)")
    .option("--checkpoint-activations", "train each rung with activation checkpointing (far less memory, more time) / 활성값 체크포인팅으로 학습 (메모리 크게 절약, 시간 더 듦)")
    .option("--seed <n>", "seed for training and few-shot draws / 학습과 퓨샷 추출 시드", nonNegativeInt("--seed"), 42)
    .option("--threads <n>", "CPU threads (default: all cores; 1 for models under 10M parameters) / CPU 스레드 수 (기본: 전체 코어, 1천만 파라미터 미만 모델은 1)", positiveInt("--threads"))
    .option("--few-shot <k>", "examples per item in the few-shot rung / 퓨샷 예시 수", positiveInt("--few-shot"), 3)
    .option("--examples <jsonl>", "few-shot examples (input/output or question/answer lines) / 퓨샷 예시 파일")
    .option("--rag-passages <k>", "retrieved passages per item in the RAG rung / RAG 검색 문단 수", positiveInt("--rag-passages"), 3)
    .option("--judge-model <gguf>", "model that judges the suite's judge items / 심판 모델")
    .option(
      "--add-rung <name=path>",
      "score a model trained elsewhere beside the local rungs: a PEFT LoRA folder (Axolotl, LLaMA-Factory), a GGUF LoRA or a GGUF model; repeatable / 다른 곳에서 학습한 모델을 함께 평가 (PEFT LoRA 폴더, GGUF LoRA, GGUF 모델; 여러 번 가능)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--qa-style <rules>",
      "QA EM/F1 rules for the suite: squad, korquad, or auto (KorQuAD when a question or its context has Hangul); overrides the suite's first line / QA 채점 규칙: squad, korquad, auto (질문·지문에 한글이 있으면 KorQuAD)",
      parseQaStyleSetting,
    )
    .option("--json", "print results.json instead of the table / 표 대신 JSON 출력")
    .addHelpText(
      "after",
      () =>
        [
          "",
          `Rungs / 단계: ${allRungs().map((r) => r.id).join(", ")}`,
          "Every rung is scored by localtune's own engine: held-out perplexity, cloze (greedy continuation starts with the answer), QA EM/F1.",
          "모든 단계는 localtune 엔진으로 같은 방식으로 평가합니다: 퍼플렉서티, 빈칸 채우기(탐욕 생성이 정답으로 시작), QA EM/F1.",
          "Example / 예: localtune ladder --model m.gguf --data docs/ --eval suite.jsonl --ppl heldout.txt --budget 5m --out ladder",
        ].join("\n"),
    )
    .action(async (options: LadderCliOptions) => {
      const input: LadderOptionsInput = {
        model: options.model,
        data: options.data,
        suite: options.eval,
        out: options.out,
        budget: options.budget,
        ctx: options.ctx,
        batch: options.batch,
        checkpointActivations: options.checkpointActivations === true,
        kernelLayouts: options.kernelLayouts === true,
        seed: options.seed,
        fewShot: options.fewShot,
        ragPassages: options.ragPassages,
        ...(options.ppl !== undefined ? { heldOut: options.ppl } : {}),
        ...(options.methods !== undefined ? { methods: splitList(options.methods) } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.examples !== undefined ? { examples: options.examples } : {}),
        ...(options.judgeModel !== undefined ? { judgeModel: options.judgeModel } : {}),
        addRungs: options.addRung.map(parseAddRung),
        ...(options.qaStyle !== undefined ? { qaStyle: options.qaStyle } : {}),
      };
      printLadderResult(await runLadder(input, ladderProgress()), options.json);
    });
}
