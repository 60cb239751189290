// Exact match and F1 for extractive QA, computed as the official SQuAD v1.1 and KorQuAD v1.0 evaluation scripts do.
// The rules are ported from the scripts' text (not from their code) so that scores here equal theirs on any input.
//
// SQuAD v1.1 (rajpurkar.github.io/SQuAD-explorer, "evaluate-v1.1.py"):
//   normalize_answer(s) = white_space_fix(remove_articles(remove_punc(lower(s))))
//     lower            str.lower()
//     remove_punc      delete every character of Python's string.punctuation (ASCII only)
//     remove_articles  re.sub(r'\b(a|an|the)\b', ' ', text)  (Python 3 str patterns: \b is Unicode-aware)
//     white_space_fix  ' '.join(text.split())               (str.split(): Python's Unicode whitespace)
//   f1_score: Counter(pred tokens) & Counter(truth tokens); 0 when nothing is shared; else 2PR/(P+R).
//   exact_match_score: normalized strings equal. Each metric takes the max over the ground truths;
//   evaluate() reports 100 * mean over questions.
// KorQuAD v1.0 (korquad.github.io, "evaluate-v1.0.py", which says it is built on the SQuAD v1.1 script):
//   normalize_answer(s) = white_space_fix(remove_punc(lower(remove_(s))))
//     remove_  replaces each of ' " 《 》 < > 〈 〉 ( ) ‘ ’ with a space (before lowercasing)
//     no article removal
//   f1_score works on the CHARACTERS of the normalized whitespace tokens (spaces do not count), so Korean
//   spacing differences and attached particles cost only the extra characters.
import { InvalidConfigError } from "../errors.js";

/** Python's string.punctuation: the 32 ASCII punctuation characters. */
const PY_PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/**
 * Every code point for which Python 3's str.isspace() is true (Unicode 14, Python 3.11; the set has not changed since
 * Unicode 6.3): what str.split() and str.strip() with no argument treat as whitespace. It differs from JavaScript's
 * \s and String.prototype.trim(): it includes U+001C..U+001F and U+0085 and excludes U+FEFF (a BOM is not
 * whitespace to Python, so "Pip\uFEFF" keeps its BOM and is not "Pip"). qa-metrics.pystrip.test.ts checks the set
 * against python3 over all 0x110000 code points.
 */
export const PY_WHITESPACE_CODE_POINTS: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

const PY_WHITESPACE_SET = new Set(PY_WHITESPACE_CODE_POINTS);

/** One or more Python whitespace characters (all of them are in the BMP, so a UTF-16 class is exact). */
const PY_WHITESPACE = new RegExp(`[${PY_WHITESPACE_CODE_POINTS.map((cp) => `\\u${cp.toString(16).padStart(4, "0")}`).join("")}]+`, "u");

/** Python's str.isspace() for one code point. */
export function isPyWhitespace(codePoint: number): boolean {
  return PY_WHITESPACE_SET.has(codePoint);
}

/**
 * Python's str.strip() with no argument: removes leading and trailing isspace() characters and nothing else. The
 * model's output goes through this (not JavaScript's trim(), which also removes U+FEFF and keeps U+0085) so the
 * metric sees the text the official script would see.
 */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_WHITESPACE_SET.has(text.charCodeAt(start))) start++;
  while (end > start && PY_WHITESPACE_SET.has(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Python 3's \b in a str pattern borders Unicode word characters (letters, digits, underscore); JS's \b is ASCII. */
const PY_ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/** KorQuAD's remove_(): these characters become spaces before anything else happens. */
const KORQUAD_REPLACED = /['"《》<>〈〉()‘’]/gu;

/** ' '.join(text.split()) with Python's whitespace set. */
function pyWhiteSpaceFix(text: string): string {
  return pyTokens(text).join(" ");
}

/** text.split() with Python's whitespace set: no empty tokens. */
function pyTokens(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((t) => t.length > 0);
}

function removePyPunctuation(text: string): string {
  let out = "";
  for (const ch of text) if (!PY_PUNCTUATION.has(ch)) out += ch;
  return out;
}

/** SQuAD v1.1 normalize_answer. */
export function squadNormalize(s: string): string {
  return pyWhiteSpaceFix(removePyPunctuation(s.toLowerCase()).replace(PY_ARTICLES, " "));
}

/** KorQuAD v1.0 normalize_answer. */
export function korquadNormalize(s: string): string {
  return pyWhiteSpaceFix(removePyPunctuation(s.replace(KORQUAD_REPLACED, " ").toLowerCase()));
}

/** sum((Counter(a) & Counter(b)).values()): the multiset intersection size. */
function sharedCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  let shared = 0;
  for (const x of b) {
    const left = counts.get(x) ?? 0;
    if (left > 0) {
      shared += 1;
      counts.set(x, left - 1);
    }
  }
  return shared;
}

/** F1 of two token lists as both scripts compute it: 0 when nothing is shared (also when either list is empty). */
function f1OfTokens(prediction: readonly string[], truth: readonly string[]): number {
  const same = sharedCount(prediction, truth);
  if (same === 0) return 0;
  const precision = same / prediction.length;
  const recall = same / truth.length;
  return (2 * precision * recall) / (precision + recall);
}

/** SQuAD v1.1 exact_match_score: 1 or 0. */
export function squadExactMatch(prediction: string, truth: string): number {
  return squadNormalize(prediction) === squadNormalize(truth) ? 1 : 0;
}

/** SQuAD v1.1 f1_score over whitespace tokens of the normalized strings. */
export function squadF1(prediction: string, truth: string): number {
  return f1OfTokens(pyTokens(squadNormalize(prediction)), pyTokens(squadNormalize(truth)));
}

/** KorQuAD v1.0 exact_match_score: 1 or 0. */
export function korquadExactMatch(prediction: string, truth: string): number {
  return korquadNormalize(prediction) === korquadNormalize(truth) ? 1 : 0;
}

/** KorQuAD v1.0 f1_score over the characters (code points, as Python iterates a str) of the normalized tokens. */
export function korquadF1(prediction: string, truth: string): number {
  const chars = (s: string) => pyTokens(korquadNormalize(s)).flatMap((tok) => Array.from(tok));
  return f1OfTokens(chars(prediction), chars(truth));
}

/** The two rule sets: SQuAD v1.1 (word F1, article removal) and KorQuAD v1.0 (character F1, bracket removal). */
export type QaStyle = "squad" | "korquad";
/** What a suite or the command line asks for: one rule set for every QA item, or "auto". */
export type QaStyleSetting = QaStyle | "auto";
export const QA_STYLE_SETTINGS = ["auto", "squad", "korquad"] as const;

/** A --qa-style value (eval, ladder), refused with the list of rule sets. */
export function parseQaStyleSetting(value: string): QaStyleSetting {
  if ((QA_STYLE_SETTINGS as readonly string[]).includes(value)) return value as QaStyleSetting;
  throw new InvalidConfigError({
    en: `--qa-style expects one of ${QA_STYLE_SETTINGS.join(", ")}, got "${value}".`,
    ko: `--qa-style에는 ${QA_STYLE_SETTINGS.join(", ")} 중 하나가 필요하지만 "${value}"이(가) 주어졌습니다.`,
  });
}

/** Hangul syllables, jamo (conjoining, so NFD text counts too), compatibility jamo and the jamo extensions. */
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff]/u;

export function hasHangul(text: string): boolean {
  return HANGUL.test(text);
}

/**
 * The rule set for one QA item. "auto" looks at the language of the question and its passage (Hangul in either:
 * KorQuAD), never at the answers: KorQuAD scores "57 mm", "USCF" or "Timbaland" with its character F1 like every
 * other question of its Korean dev set, and a mixed answer list such as ["Seoul", "서울"] does not switch rules.
 */
export function qaStyleOf(setting: QaStyleSetting, question: string, context?: string): QaStyle {
  if (setting !== "auto") return setting;
  return hasHangul(question) || (context !== undefined && hasHangul(context)) ? "korquad" : "squad";
}

/**
 * A guess from the answers alone, for callers that have no question (text-metrics' containsAnswer default). QA
 * scoring never uses it: suites resolve their rules with qaStyleOf.
 */
export function resolveQaStyle(style: QaStyleSetting, truths: readonly string[]): QaStyle {
  if (style !== "auto") return style;
  return truths.some((t) => hasHangul(t)) ? "korquad" : "squad";
}

/** How the rule sets are named in tables and reports. */
export const QA_STYLE_NAMES: Record<QaStyle, string> = { squad: "SQuAD v1.1", korquad: "KorQuAD v1.0" };

export interface QaScore {
  /** 1 when the prediction equals some ground truth after normalization, else 0. */
  exactMatch: number;
  /** The best F1 (0..1) against any ground truth. */
  f1: number;
  style: QaStyle;
}

/**
 * metric_max_over_ground_truths for EM and F1 under one rule set (the caller decides it once per item with
 * qaStyleOf). The official scripts fail on an empty list (max of nothing); here the caller must pass at least one
 * truth, which the suite schema guarantees.
 */
export function qaScore(prediction: string, truths: readonly string[], style: QaStyle): QaScore {
  if (truths.length === 0) throw new RangeError("qaScore needs at least one ground-truth answer");
  const em = style === "squad" ? squadExactMatch : korquadExactMatch;
  const f1 = style === "squad" ? squadF1 : korquadF1;
  return {
    exactMatch: Math.max(...truths.map((t) => em(prediction, t))),
    f1: Math.max(...truths.map((t) => f1(prediction, t))),
    style,
  };
}

/** evaluate(): 100 x the mean EM and F1 over questions (unanswered questions count as 0, as in the scripts). */
export function qaAggregate(scores: readonly QaScore[], unanswered = 0): { exactMatch: number; f1: number; total: number } {
  const total = scores.length + unanswered;
  if (total === 0) return { exactMatch: 0, f1: 0, total: 0 };
  const sum = (pick: (s: QaScore) => number) => scores.reduce((acc, s) => acc + pick(s), 0);
  return { exactMatch: (100 * sum((s) => s.exactMatch)) / total, f1: (100 * sum((s) => s.f1)) / total, total };
}
