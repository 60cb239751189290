// Writes batch results (JSONL, atomically) and lays them out side by side: one line per prompt, one column per
// variant x target, padded by terminal display width so Hangul (two columns wide) lines up.
import fs from "node:fs";
import path from "node:path";
import type { PromptResult } from "./batch-run.js";

/** Writes one JSON object per line to a temporary file, then renames it over `file`: never a half-written file. */
export function writeResultsJsonl(file: string, results: readonly PromptResult[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, results.map((r) => JSON.stringify(r)).join("\n") + (results.length ? "\n" : ""));
  fs.renameSync(temporary, file);
}

/** Columns a character takes in a terminal: 2 for East Asian wide and full-width forms (Hangul, CJK), 0 for combining marks. */
export function charWidth(codePoint: number): number {
  if ((codePoint >= 0x0300 && codePoint <= 0x036f) || (codePoint >= 0x1160 && codePoint <= 0x11ff) || codePoint === 0x200b) return 0;
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) || // Hangul Jamo leading consonants
    (codePoint >= 0x2e80 && codePoint <= 0x303e) || // CJK radicals, punctuation
    (codePoint >= 0x3041 && codePoint <= 0x33ff) || // kana, compatibility Jamo, CJK symbols
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) || // Hangul syllables
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

/** Cuts text to at most `width` columns (an ellipsis marks the cut) and pads it to exactly `width`. */
export function fitWidth(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (displayWidth(flat) <= width) return flat + " ".repeat(width - displayWidth(flat));
  let out = "";
  let used = 0;
  for (const ch of flat) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + "…" + " ".repeat(width - 1 - used);
}

/** The side-by-side table: prompt ids down, "variant @ target" across, outputs cut to `cellWidth` columns. */
export function formatResultsTable(results: readonly PromptResult[], cellWidth = 36): string {
  const oneTarget = new Set(results.map((r) => r.target)).size <= 1;
  const columnOf = (r: PromptResult) => (oneTarget ? r.variant : `${r.variant} @ ${r.target}`);
  const columns = [...new Set(results.map((r) => columnOf(r)))];
  const ids = [...new Set(results.map((r) => r.id))];
  const idWidth = Math.max(2, ...ids.map(displayWidth));
  const byCell = new Map(results.map((r) => [`${r.id}\u0000${columnOf(r)}`, r]));
  const line = (cells: string[]) => cells.join(" │ ");
  const out = [line([fitWidth("id", idWidth), ...columns.map((c) => fitWidth(c, cellWidth))])];
  out.push(line(["─".repeat(idWidth), ...columns.map(() => "─".repeat(cellWidth))]).replace(/ │ /g, "─┼─"));
  for (const id of ids) {
    out.push(line([fitWidth(id, idWidth), ...columns.map((c) => fitWidth(byCell.get(`${id}\u0000${c}`)?.output ?? "", cellWidth))]));
  }
  return out.join("\n");
}
