// `localtune report`: turns a results file (one entry per method) into report.md and a self-contained report.html.
import type { Command } from "commander";
import { getLang, msg } from "../../i18n/index.js";
import { loadReportInput, writeReport } from "../../report/index.js";

export function registerReport(program: Command): void {
  program
    .command("report")
    .description(
      "Write report.md and a self-contained report.html (tables and charts) from method results.\n" +
        "방법별 결과로 report.md와 독립 실행형 report.html(표와 차트)을 만듭니다.",
    )
    .requiredOption("--results <json>", 'results file: {"environment": {...}, "runs": [...]} / 결과 파일')
    .option("--out <dir>", "folder for report.md and report.html / 보고서 폴더", ".")
    .option("--json", "print the written paths as JSON / 저장한 경로를 JSON으로 출력")
    .action((options: { results: string; out: string; json?: boolean }) => {
      const written = writeReport(loadReportInput(options.results), options.out, getLang());
      if (options.json) console.log(JSON.stringify(written));
      else console.log(msg({ en: "wrote {md} and {html}", ko: "{md}, {html} 저장" }, { md: written.markdown, html: written.html }));
    });
}
