// Reads a small JSONL file (prompts, variants, few-shot examples) into parsed rows that keep their line numbers.
import fs from "node:fs";
import { FileNotFoundError, PromptFileError } from "../errors.js";

export interface JsonlRow {
  line: number;
  value: unknown;
}

/** Every non-blank line parsed as JSON; a bad line is a PromptFileError with its line number. */
export function readJsonl(file: string, what: string): JsonlRow[] {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, what);
  const lines = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/);
  const rows: JsonlRow[] = [];
  lines.forEach((text, index) => {
    if (text.trim() === "") return;
    try {
      rows.push({ line: index + 1, value: JSON.parse(text) });
    } catch (error) {
      throw new PromptFileError(
        file,
        index + 1,
        `not valid JSON (${(error as Error).message})`,
        "Each line must be one JSON object.",
        "각 줄은 JSON 객체 하나여야 합니다.",
      );
    }
  });
  return rows;
}
