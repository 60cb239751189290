// Evaluation suites: a JSONL file of items (qa, cloze, mc, judge) with an optional first line of suite settings (the
// QA rule set), its zod schemas, and `runSuite`, which scores every item through small generator / scorer / judge
// interfaces so any engine can be evaluated the same way.
import fs from "node:fs";
import { z } from "zod";
import { EvalSuiteError, FileNotFoundError } from "../errors.js";
import type { EvalGenerator, EvalScorer } from "./interfaces.js";
import { pairwiseBothOrders, type Judge } from "./judge.js";
import { scoreMultipleChoice } from "./multiple-choice.js";
import { pyStrip, QA_STYLE_SETTINGS, qaAggregate, qaScore, qaStyleOf, type QaScore, type QaStyle, type QaStyleSetting } from "./qa-metrics.js";
import { containsAnswer, rougeLMax } from "./text-metrics.js";

const idField = z.string().min(1).optional().describe("stable item id; default <kind>-<line number>");

export const QaItemSchema = z.object({
  kind: z.literal("qa"),
  id: idField,
  question: z.string().min(1).describe("the question"),
  context: z.string().optional().describe("a passage the answer comes from, put before the question"),
  prompt: z.string().optional().describe("the full prompt, overriding the default 'Question: ...\\nAnswer:' layout"),
  answers: z.array(z.string().min(1)).min(1).describe("acceptable answers; EM and F1 take the best"),
  maxTokens: z.number().int().positive().default(32).describe("longest answer to generate, in tokens"),
});

export const ClozeItemSchema = z.object({
  kind: z.literal("cloze"),
  id: idField,
  prompt: z.string().min(1).describe('text the model continues, e.g. "The dragon of Maple Hill is called"'),
  answer: z.string().min(1).describe('the greedy continuation must start with this, e.g. "Pip"'),
  maxTokens: z.number().int().positive().default(16).describe("tokens to generate before checking"),
});

export const McItemSchema = z
  .object({
    kind: z.literal("mc"),
    id: idField,
    question: z.string().min(1).describe("the context each choice is appended to (after one space)"),
    choices: z.array(z.string().min(1)).min(2).describe("the candidate answers"),
    answer: z.number().int().nonnegative().describe("index of the correct choice, from 0"),
  })
  .refine((item) => item.answer < item.choices.length, { message: "answer must be an index into choices", path: ["answer"] });

export const JudgeItemSchema = z
  .object({
    kind: z.literal("judge"),
    id: idField,
    prompt: z.string().min(1).describe("the task given to the model under test"),
    mode: z.enum(["rubric", "pairwise"]).describe("rubric: score 1-5 against `rubric`; pairwise: compare with `baseline` in both orders"),
    rubric: z.string().optional().describe("what a good answer does (rubric mode)"),
    reference: z.string().optional().describe("a reference answer shown to the judge (rubric mode)"),
    baseline: z.string().optional().describe("the answer to compare against (pairwise mode)"),
    maxTokens: z.number().int().positive().default(96).describe("longest answer to generate, in tokens"),
  })
  .refine((item) => (item.mode === "rubric" ? item.rubric !== undefined : item.baseline !== undefined), {
    message: "rubric mode needs `rubric`, pairwise mode needs `baseline`",
  });

export const SuiteItemSchema = z.union([QaItemSchema, ClozeItemSchema, McItemSchema, JudgeItemSchema]);
export type SuiteItem = z.infer<typeof SuiteItemSchema> & { id: string };

/** The optional first line of a suite file: settings that hold for the whole suite. */
export const SuiteSettingsSchema = z
  .object({
    kind: z.literal("suite"),
    style: z
      .enum(QA_STYLE_SETTINGS)
      .default("auto")
      .describe(
        "EM/F1 rules for every QA item: squad (SQuAD v1.1), korquad (KorQuAD v1.0), or auto (KorQuAD for an item whose question or context has Hangul, else SQuAD)",
      ),
  })
  .strict();

export interface Suite {
  items: SuiteItem[];
  /** The QA rule set the file asks for ("auto" when it has no settings line). */
  qaStyle: QaStyleSetting;
}

const STYLE_MOVED =
  '"style" is set once for the whole suite: put {"kind":"suite","style":"korquad"} (or "squad", "auto") on the first line, or pass --qa-style';

/**
 * Reads a suite: an optional settings line first, then one item per non-blank line, text NFC-normalised; the first
 * bad line throws EvalSuiteError.
 */
export function loadSuite(file: string): Suite {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "evaluation suite");
  const items: SuiteItem[] = [];
  const ids = new Set<string>();
  let qaStyle: QaStyleSetting = "auto";
  let firstLine = true;
  fs.readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === "") return;
      let json: unknown;
      try {
        json = JSON.parse(raw.normalize("NFC"));
      } catch (error) {
        throw new EvalSuiteError(file, line, `not JSON (${(error as Error).message})`);
      }
      const kind = typeof json === "object" && json !== null ? (json as { kind?: unknown }).kind : undefined;
      const isFirst = firstLine;
      firstLine = false;
      if (kind === "suite") {
        if (!isFirst) throw new EvalSuiteError(file, line, 'the {"kind":"suite"} settings line must be the first line of the file');
        const settings = SuiteSettingsSchema.safeParse(json);
        if (!settings.success) {
          const issue = settings.error.issues[0]!;
          throw new EvalSuiteError(file, line, `suite settings: ${issue.path.join(".") || issue.code}: ${issue.message}`);
        }
        qaStyle = settings.data.style;
        return;
      }
      if (kind === "qa" && Object.hasOwn(json as object, "style")) throw new EvalSuiteError(file, line, STYLE_MOVED);
      const schema = { qa: QaItemSchema, cloze: ClozeItemSchema, mc: McItemSchema, judge: JudgeItemSchema }[String(kind)];
      if (!schema) throw new EvalSuiteError(file, line, `"kind" is ${JSON.stringify(kind)}`);
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new EvalSuiteError(file, line, `${issue.path.join(".") || "(item)"}: ${issue.message}`);
      }
      const item = { ...parsed.data, id: parsed.data.id ?? `${kind}-${line}` } as SuiteItem;
      if (ids.has(item.id)) throw new EvalSuiteError(file, line, `duplicate id "${item.id}"`);
      ids.add(item.id);
      items.push(item);
    });
  if (items.length === 0) throw new EvalSuiteError(file, 1, "the file has no items");
  return { items, qaStyle };
}

/** How many QA items each rule set scores under a setting (the same decision runSuite makes per item). */
export function suiteQaRules(items: readonly SuiteItem[], setting: QaStyleSetting): Record<QaStyle, number> {
  const rules = { squad: 0, korquad: 0 };
  for (const item of items) if (item.kind === "qa") rules[qaStyleOf(setting, item.question, item.context)] += 1;
  return rules;
}

/** The default QA prompt: passage (when given), then "Question: ...\nAnswer:"; generation stops at a newline. */
export function qaPrompt(item: Extract<SuiteItem, { kind: "qa" }>): string {
  if (item.prompt !== undefined) return item.prompt;
  return `${item.context !== undefined ? `${item.context}\n\n` : ""}Question: ${item.question}\nAnswer:`;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const HANGUL_END = /\p{Script=Hangul}$/u;

/**
 * Cloze check: the continuation, leading whitespace removed, starts with the answer (NFC, case-insensitive), and
 * the answer ends there: the next character is not a letter or digit ("Pip." and "Pip and" pass, "Pipsqueak" does
 * not). After a Hangul answer a particle may follow ("피프는" passes for "피프").
 */
export function clozeCorrect(continuation: string, answer: string): boolean {
  const text = continuation.normalize("NFC").trimStart().toLowerCase();
  const want = answer.normalize("NFC").trim().toLowerCase();
  if (!text.startsWith(want)) return false;
  const next = [...text.slice(want.length)][0];
  return next === undefined || !LETTER_OR_DIGIT.test(next) || HANGUL_END.test(want);
}

export interface ItemResult {
  id: string;
  kind: SuiteItem["kind"];
  /** The generated text (qa, cloze, judge). */
  output?: string;
  exactMatch?: number;
  f1?: number;
  /** The rule set that scored this QA item. */
  qaRules?: QaStyle;
  containsAnswer?: boolean;
  rougeL?: number;
  correct?: boolean;
  correctNorm?: boolean;
  logprobs?: number[];
  /** rubric: 1..5; pairwise: 1 win, 0.5 tie, 0 loss. */
  judgeScore?: number;
  judgeReasons?: string[];
}

export interface SuiteSummary {
  qa?: {
    items: number;
    exactMatch: number;
    f1: number;
    containsAnswer: number;
    rougeL: number;
    /** The setting the suite was scored under and how many items each rule set scored. */
    style: QaStyleSetting;
    rules: Record<QaStyle, number>;
  };
  cloze?: { items: number; accuracy: number };
  mc?: { items: number; accuracy: number; accuracyNorm: number };
  judge?: { rubricItems: number; rubricMean: number | null; pairwiseItems: number; pairwiseScore: number | null };
}

export interface SuiteResult {
  summary: SuiteSummary;
  items: ItemResult[];
  /** Items not scored, with the reason (e.g. judge items when no judge was given). */
  skipped: Array<{ id: string; kind: string; reason: string }>;
}

export interface RunSuiteOptions {
  /** QA rule set: one for every item, or "auto" (decided per item from its question and context). Default "auto". */
  qaStyle?: QaStyleSetting;
  /** Needed for judge items; without it they are skipped and listed. */
  judge?: Judge;
  /** Called after each item (progress on long runs). */
  onItem?: (done: number, total: number, result: ItemResult) => void;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Scores every item. QA, cloze and judge items generate greedily; mc items use log-likelihood. */
export async function runSuite(
  generator: EvalGenerator,
  scorer: Pick<EvalScorer, "logprob">,
  items: readonly SuiteItem[],
  options: RunSuiteOptions = {},
): Promise<SuiteResult> {
  const results: ItemResult[] = [];
  const skipped: SuiteResult["skipped"] = [];
  const qaScores: QaScore[] = [];
  for (const item of items) {
    let result: ItemResult | undefined;
    switch (item.kind) {
      case "qa": {
        // Python's str.strip(), not trim(): the official scripts keep a U+FEFF that trim() would drop.
        const output = pyStrip(await generator.complete(qaPrompt(item), { maxTokens: item.maxTokens, stop: ["\n"] }));
        const score = qaScore(output, item.answers, qaStyleOf(options.qaStyle ?? "auto", item.question, item.context));
        qaScores.push(score);
        result = {
          id: item.id,
          kind: item.kind,
          output,
          exactMatch: score.exactMatch,
          f1: score.f1,
          qaRules: score.style,
          containsAnswer: containsAnswer(output, item.answers, score.style),
          rougeL: rougeLMax(output, item.answers).fmeasure,
        };
        break;
      }
      case "cloze": {
        const output = await generator.complete(item.prompt, { maxTokens: item.maxTokens });
        result = { id: item.id, kind: item.kind, output, correct: clozeCorrect(output, item.answer) };
        break;
      }
      case "mc": {
        const r = await scoreMultipleChoice(item, scorer.logprob);
        result = { id: item.id, kind: item.kind, logprobs: r.logprobs, correct: r.correct, correctNorm: r.correctNorm };
        break;
      }
      case "judge": {
        if (!options.judge) {
          skipped.push({ id: item.id, kind: item.kind, reason: "no judge model was given" });
          break;
        }
        const output = (await generator.complete(item.prompt, { maxTokens: item.maxTokens })).trim();
        if (item.mode === "rubric") {
          const v = await options.judge.rubric({
            prompt: item.prompt,
            answer: output,
            rubric: item.rubric!,
            ...(item.reference !== undefined ? { reference: item.reference } : {}),
          });
          result = { id: item.id, kind: item.kind, output, judgeScore: v.score, judgeReasons: [v.reason] };
        } else {
          const v = await pairwiseBothOrders(options.judge, item.prompt, output, item.baseline!);
          result = { id: item.id, kind: item.kind, output, judgeScore: v.score, judgeReasons: v.verdicts.map((x) => x.reason) };
        }
        break;
      }
    }
    if (result) {
      results.push(result);
      options.onItem?.(results.length + skipped.length, items.length, result);
    }
  }
  return { summary: summarize(items, results, qaScores, options.qaStyle ?? "auto"), items: results, skipped };
}

function summarize(items: readonly SuiteItem[], results: readonly ItemResult[], qaScores: readonly QaScore[], qaStyle: QaStyleSetting): SuiteSummary {
  const of = (kind: SuiteItem["kind"]) => results.filter((r) => r.kind === kind);
  const summary: SuiteSummary = {};
  const qa = of("qa");
  if (qa.length > 0) {
    const agg = qaAggregate(qaScores);
    summary.qa = {
      items: qa.length,
      exactMatch: agg.exactMatch,
      f1: agg.f1,
      containsAnswer: 100 * mean(qa.map((r) => (r.containsAnswer ? 1 : 0))),
      rougeL: 100 * mean(qa.map((r) => r.rougeL ?? 0)),
      style: qaStyle,
      rules: {
        squad: qaScores.filter((s) => s.style === "squad").length,
        korquad: qaScores.filter((s) => s.style === "korquad").length,
      },
    };
  }
  const cloze = of("cloze");
  if (cloze.length > 0) summary.cloze = { items: cloze.length, accuracy: 100 * mean(cloze.map((r) => (r.correct ? 1 : 0))) };
  const mc = of("mc");
  if (mc.length > 0) {
    summary.mc = {
      items: mc.length,
      accuracy: 100 * mean(mc.map((r) => (r.correct ? 1 : 0))),
      accuracyNorm: 100 * mean(mc.map((r) => (r.correctNorm ? 1 : 0))),
    };
  }
  const judged = of("judge");
  if (judged.length > 0) {
    const modeOf = new Map(items.filter((i) => i.kind === "judge").map((i) => [i.id, (i as { mode: string }).mode]));
    const rubric = judged.filter((r) => modeOf.get(r.id) === "rubric").map((r) => r.judgeScore!);
    const pairwise = judged.filter((r) => modeOf.get(r.id) === "pairwise").map((r) => r.judgeScore!);
    summary.judge = {
      rubricItems: rubric.length,
      rubricMean: rubric.length > 0 ? mean(rubric) : null,
      pairwiseItems: pairwise.length,
      pairwiseScore: pairwise.length > 0 ? 100 * mean(pairwise) : null,
    };
  }
  return summary;
}
