// Writes report.md and report.html into a folder, each atomically (temporary file, then rename).
import fs from "node:fs";
import path from "node:path";
import type { Lang } from "../i18n/index.js";
import { renderReportHtml } from "./html.js";
import { renderReportMarkdown } from "./markdown.js";
import { parseReportInput, type ReportInput } from "./schema.js";

function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export interface WrittenReport {
  markdown: string;
  html: string;
}

/** Validates the input, then writes <outDir>/report.md and <outDir>/report.html; returns their paths. */
export function writeReport(input: ReportInput | unknown, outDir: string, lang: Lang): WrittenReport {
  const checked = parseReportInput(input);
  fs.mkdirSync(outDir, { recursive: true });
  const markdown = path.join(outDir, "report.md");
  const html = path.join(outDir, "report.html");
  writeAtomic(markdown, renderReportMarkdown(checked, lang));
  writeAtomic(html, renderReportHtml(checked, lang));
  return { markdown, html };
}
