// `localtune demo`: the method ladder on the embedded default (stories260K and the Maple Hill corpus); prints the
// table and writes report.md and report.html. The README's main-job command.
import type { Command } from "commander";
import { demoLadderOptions, DEMO_DEFAULTS, LadderOptionsSchema, runLadder } from "../../ladder/index.js";
import { addSchemaOptions } from "../schema-options.js";
import { ladderProgress, printLadderResult } from "./ladder.js";

/** The demo's flags: the ladder's own fields, with the demo's defaults. */
const DemoFlagsSchema = LadderOptionsSchema.pick({ out: true, budget: true, threads: true, methods: true });

export function registerDemo(program: Command): void {
  const command = program
    .command("demo")
    .description(
      "Run the whole method ladder on the built-in example (stories260K + the Maple Hill stories) in a few minutes on a CPU, and write the comparison report.\n" +
        "내장 예제(stories260K + Maple Hill 이야기)로 방법 사다리 전체를 CPU에서 몇 분 안에 실행하고 비교 보고서를 만듭니다.",
    );
  const demoValues = addSchemaOptions(command, DemoFlagsSchema, {
    flags: { out: "--out <dir>", budget: "--budget <budget>", methods: "--methods <ids>" },
    defaults: { out: "localtune-demo", budget: DEMO_DEFAULTS.budget },
  });
  command
    .option("--json", "print results.json instead of the table / 표 대신 JSON 출력")
    .action(async (options: Record<string, unknown>) => {
      const input = demoLadderOptions(demoValues(options));
      printLadderResult(await runLadder(input, ladderProgress()), options.json === true);
    });
}
