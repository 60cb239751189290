// report.md: the results table, per-run notes, and the machine, versions and seeds, in English or Korean.
import type { Lang } from "../i18n/index.js";
import { COLUMNS, environmentRows, TEXT } from "./format.js";
import type { ReportInput } from "./schema.js";

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** The results table alone: one row per run, columns as in COLUMNS. */
export function reportTableMarkdown(input: ReportInput, lang: Lang): string {
  const header = `| ${COLUMNS.map((c) => c.label[lang]).join(" | ")} |`;
  const rule = `|${COLUMNS.map((c, i) => (i === 0 ? "---" : "---:")).join("|")}|`;
  const rows = input.runs.map((run) => `| ${COLUMNS.map((c) => cell(c.value(run))).join(" | ")} |`);
  return [header, rule, ...rows].join("\n");
}

export function renderReportMarkdown(input: ReportInput, lang: Lang): string {
  const out: string[] = [`# ${input.title ?? TEXT.title[lang]}`, "", `## ${TEXT.results[lang]}`, "", reportTableMarkdown(input, lang), "", TEXT.legendNote[lang], ""];
  const notes = input.runs.filter((r) => r.notes);
  if (notes.length > 0) {
    out.push(`## ${TEXT.notes[lang]}`, "");
    for (const r of notes) out.push(`- **${cell(r.label ?? r.method)}**: ${r.notes!.replace(/\r?\n/g, " ")}`);
    out.push("");
  }
  out.push(`## ${TEXT.environment[lang]}`, "");
  for (const [label, value] of environmentRows(input.environment, lang)) out.push(`- ${label}: ${value}`);
  out.push("");
  return out.join("\n");
}
