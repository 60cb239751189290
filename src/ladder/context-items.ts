// The two rungs that change only the prompt: few-shot (worked examples before each item) and RAG (retrieved
// passages before each item). Both rewrite the suite's items, so runSuite scores them exactly like the baseline.
import { qaScore } from "../eval/qa-metrics.js";
import { qaPrompt, type SuiteItem } from "../eval/suite.js";
import { drawExamples, type FewShotExample } from "../prompt/few-shot.js";

/** The item with `context` (examples or passages) and a blank line before what the model sees. */
export function withContext(item: SuiteItem, context: string): SuiteItem {
  if (context === "") return item;
  switch (item.kind) {
    case "qa":
      return { ...item, prompt: `${context}\n\n${qaPrompt(item)}` };
    case "cloze":
    case "judge":
      return { ...item, prompt: `${context}\n\n${item.prompt}` };
    case "mc":
      return { ...item, question: `${context}\n\n${item.question}` };
  }
}

/** The text a retriever is asked with: the question, or the cloze / judge prompt. */
export function retrievalQuery(item: SuiteItem): string {
  return item.kind === "qa" || item.kind === "mc" ? item.question : item.prompt;
}

/** An example of the pool, tagged with the item kind it demonstrates (untagged examples fit any kind). */
export interface KindedExample extends FewShotExample {
  kind?: SuiteItem["kind"];
}

/** A pool from the suite itself: each cloze item as (prompt, answer), each QA item as (question, first answer). */
export function suiteExamplePool(items: readonly SuiteItem[]): KindedExample[] {
  return items.flatMap((item): KindedExample[] => {
    if (item.kind === "cloze") return [{ id: item.id, input: item.prompt, output: item.answer, kind: "cloze" }];
    if (item.kind === "qa") return [{ id: item.id, input: item.question, output: item.answers[0]!, kind: "qa" }];
    return [];
  });
}

/** The item's reference answers (empty for judge items, which have none). */
function answersOf(item: SuiteItem): string[] {
  switch (item.kind) {
    case "qa":
      return item.answers;
    case "cloze":
      return [item.answer];
    case "mc":
      return [item.choices[item.answer]!];
    case "judge":
      return [];
  }
}

/**
 * True when the example would give the item's answer away: its output matches one of the item's answers (after
 * SQuAD's or KorQuAD's normalisation: case, punctuation, articles, brackets), or it is the item itself.
 */
function leaksAnswer(example: KindedExample, item: SuiteItem): boolean {
  if (example.id === item.id) return true;
  const answers = answersOf(item);
  // A leak under either rule set counts: the suite's own rules are not known here, and over-excluding is harmless.
  return answers.length > 0 && (["squad", "korquad"] as const).some((style) => qaScore(example.output, answers, style).exactMatch > 0);
}

/** One example in the layout of the item's kind: a completed cloze sentence, or a question and its answer. */
function renderExample(example: KindedExample, kind: SuiteItem["kind"]): string {
  if (kind === "cloze") return `${example.input} ${example.output}.`;
  return `Question: ${example.input}\nAnswer: ${example.output}`;
}

/**
 * k examples for item number `index`: drawn with the seed from the pool entries of the item's kind that do not give
 * its answer away, in the item's layout, separated by blank lines.
 */
export function fewShotContext(pool: readonly KindedExample[], item: SuiteItem, index: number, k: number, seed: number): string {
  const candidates = pool.filter((e) => (e.kind === undefined || e.kind === item.kind) && !leaksAnswer(e, item));
  return drawExamples(candidates, k, seed, index)
    .map((e) => renderExample(e, item.kind))
    .join("\n\n");
}

/**
 * Characters of continuation after which each cloze prompt's verdict is fixed: the answer (as clozeCorrect compares
 * it) plus one code point, which may take two UTF-16 units.
 */
export function clozeDecidedAfter(items: readonly SuiteItem[]): (prompt: string) => number | undefined {
  const lengths = new Map<string, number>();
  for (const item of items) {
    if (item.kind === "cloze") lengths.set(item.prompt, item.answer.normalize("NFC").trim().toLowerCase().length + 2);
  }
  return (prompt) => lengths.get(prompt);
}
