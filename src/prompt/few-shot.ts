// Few-shot examples: (input, output) pairs read from a dataset JSONL and drawn per prompt with a seeded generator,
// so the same seed gives the same examples on every machine.
import { z } from "zod";
import { PromptFileError } from "../errors.js";
import { DatasetRecordSchema } from "../data/schema.js";
import { readJsonl } from "./jsonl.js";
import { renderTemplate } from "./template.js";
import { seededRandom } from "../engine/random.js";

export interface FewShotExample {
  id: string;
  input: string;
  output: string;
}

export interface FewShotPool {
  file: string;
  examples: FewShotExample[];
  /** Rows that hold no input/output pair (e.g. plain text chunks), by line, with the reason: reported, not hidden. */
  skipped: Array<{ line: number; reason: string }>;
}

const PairSchema = z.union([
  z.object({ id: z.string().optional(), input: z.string(), output: z.string() }),
  z.object({ id: z.string().optional(), question: z.string(), answer: z.string() }),
]);

/**
 * Reads examples from a JSONL file. Accepted lines: localtune chat records (the first user turn and the assistant
 * turn after it), `{"input", "output"}` or `{"question", "answer"}` objects.
 */
export function loadFewShotPool(file: string): FewShotPool {
  const examples: FewShotExample[] = [];
  const skipped: FewShotPool["skipped"] = [];
  for (const { line, value } of readJsonl(file, "examples file")) {
    const record = DatasetRecordSchema.safeParse(value);
    if (record.success) {
      if (record.data.kind === "text") {
        skipped.push({ line, reason: "text record (no question/answer pair)" });
        continue;
      }
      const messages = record.data.messages;
      const userAt = messages.findIndex((m) => m.role === "user");
      const answer = messages[userAt + 1];
      if (userAt < 0 || answer?.role !== "assistant") {
        skipped.push({ line, reason: "chat record without a user turn followed by an assistant turn" });
        continue;
      }
      examples.push({ id: record.data.id, input: nfc(messages[userAt]!.content), output: nfc(answer.content) });
      continue;
    }
    const pair = PairSchema.safeParse(value);
    if (!pair.success) {
      throw new PromptFileError(
        file,
        line,
        "not an example",
        'Use a localtune chat record, {"input": ..., "output": ...} or {"question": ..., "answer": ...}.',
        'localtune 대화 레코드, {"input": ..., "output": ...} 또는 {"question": ..., "answer": ...} 형식을 쓰세요.',
      );
    }
    const p = pair.data;
    const [input, output] = "input" in p ? [p.input, p.output] : [p.question, p.answer];
    examples.push({ id: p.id ?? `${file}:${line}`, input: nfc(input), output: nfc(output) });
  }
  return { file, examples, skipped };
}

/**
 * Draws k distinct examples for prompt number `rowIndex`: a partial Fisher-Yates shuffle driven by mulberry32
 * seeded from (seed, rowIndex). Examples whose input equals the prompt's own input are left out (no answer leak).
 */
export function drawExamples(pool: readonly FewShotExample[], k: number, seed: number, rowIndex: number, exclude?: string): FewShotExample[] {
  const candidates = exclude === undefined ? pool.slice() : pool.filter((e) => e.input.trim() !== exclude.trim());
  const random = seededRandom(mixSeed(seed, rowIndex));
  const n = Math.min(k, candidates.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (candidates.length - i));
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  return candidates.slice(0, n);
}

/** The examples written with a template's example layout, each followed by a blank line (empty when none). */
export function formatExamples(examples: readonly FewShotExample[], layout: string): string {
  return examples.map((e) => renderTemplate(layout, { input: e.input, output: e.output }, { template: "example", row: e.id }) + "\n\n").join("");
}

function nfc(text: string): string {
  return text.normalize("NFC");
}


function mixSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}
