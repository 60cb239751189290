// `localtune demo`: the method ladder on the embedded default (stories260K and the Maple Hill corpus); prints the
// table and writes report.md and report.html. The README's main-job command.
import type { Command } from "commander";
import { demoLadderOptions, DEMO_DEFAULTS, runLadder } from "../../ladder/index.js";
import { positiveInt } from "../options.js";
import { ladderProgress, printLadderResult } from "./ladder.js";

interface DemoCliOptions {
  out: string;
  budget?: string;
  threads?: number;
  methods?: string;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the whole method ladder on the built-in example (stories260K + the Maple Hill stories) in a few minutes on a CPU, and write the comparison report.\n" +
        "내장 예제(stories260K + Maple Hill 이야기)로 방법 사다리 전체를 CPU에서 몇 분 안에 실행하고 비교 보고서를 만듭니다.",
    )
    .option("--out <dir>", "folder for report.md, report.html and the runs; an earlier demo's output there is replaced / 보고서와 실행 폴더 (이전 결과는 교체)", "localtune-demo")
    .option("--budget <budget>", `per training rung (default ${DEMO_DEFAULTS.budget} tokens) / 학습 단계별 예산 (기본 ${DEMO_DEFAULTS.budget} 토큰)`)
    .option("--threads <n>", "CPU threads (default 1: stories260K's ops are too small to split) / CPU 스레드 수 (기본 1)", positiveInt("--threads"))
    .option("--methods <ids>", "comma-separated rungs (default: all) / 실행할 단계 (기본: 전부)")
    .option("--json", "print results.json instead of the table / 표 대신 JSON 출력")
    .action(async (options: DemoCliOptions) => {
      const input = demoLadderOptions({
        out: options.out,
        ...(options.budget !== undefined ? { budget: options.budget } : {}),
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.methods !== undefined ? { methods: options.methods.split(",").map((s) => s.trim()).filter(Boolean) } : {}),
      });
      printLadderResult(await runLadder(input, ladderProgress()), options.json);
    });
}
