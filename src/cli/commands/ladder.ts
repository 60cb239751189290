// `localtune ladder`: every method from prompt engineering to DAPT on the same data and budget, scored on the same
// held-out set; writes report.md, report.html and results.json and prints the table.
import type { Command } from "commander";
import { getLang, msg } from "../../i18n/index.js";
import { allRungs, LadderOptionsSchema, parseAddRung, runLadder, type LadderEvent, type LadderOptionsInput, type LadderResult } from "../../ladder/index.js";
import { reportTableMarkdown } from "../../report/index.js";
import { ProgressBar } from "../progress.js";
import { addSchemaOptions } from "../schema-options.js";

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
  const command = program.command("ladder");
  const ladderValues = addSchemaOptions(command, LadderOptionsSchema, {
    // The rungs trained elsewhere are --add-rung name=path (below); the passage length and the title are for the API.
    omit: ["addRungs", "ragPassageTokens", "title"],
    flags: { model: "--model <gguf>", data: "--data <paths...>", suite: "--eval <jsonl>", heldOut: "--ppl <text>", out: "--out <dir>", methods: "--methods <ids>", judgeModel: "--judge-model <gguf>", examples: "--examples <jsonl>", qaStyle: "--qa-style <rules>" },
    defaults: { out: "ladder" },
  });
  command
    .description(
      "Run the method ladder (prompt, few-shot, RAG, prompt/prefix tuning, BitFit, LoRA r=2 and r=16, DAPT) under one budget and compare them on the same held-out set.\n" +
        "방법 사다리(프롬프트, 퓨샷, RAG, 프롬프트/프리픽스 튜닝, BitFit, LoRA r=2·r=16, DAPT)를 같은 예산으로 실행하고 같은 평가 데이터로 비교합니다.",
    )
    .option(
      "--add-rung <name=path>",
      "score a model trained elsewhere beside the local rungs: a PEFT LoRA folder (Axolotl, LLaMA-Factory), a GGUF LoRA or a GGUF model; repeatable / 다른 곳에서 학습한 모델을 함께 평가 (PEFT LoRA 폴더, GGUF LoRA, GGUF 모델; 여러 번 가능)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
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
    .action(async (options: Record<string, unknown>) => {
      const input: LadderOptionsInput = { ...ladderValues(options), addRungs: (options.addRung as string[]).map(parseAddRung) };
      printLadderResult(await runLadder(input, ladderProgress()), options.json === true);
    });
}
