// Generation metrics beyond EM/F1: contains-answer and ROUGE-L (sentence-level LCS F-measure, Lin 2004).
import { korquadNormalize, resolveQaStyle, squadNormalize, type QaStyle } from "./qa-metrics.js";

/**
 * True when some answer appears in the prediction after the QA normalization of its style (SQuAD's for English,
 * KorQuAD's when an answer has Hangul). SQuAD style matches whole tokens ("cat" is not found in "concatenate");
 * KorQuAD style matches any substring, because Korean particles attach to the word ("서울" is in "서울에서").
 * An answer that normalizes to nothing never matches.
 */
export function containsAnswer(prediction: string, answers: readonly string[], style: QaStyle | "auto" = "auto"): boolean {
  const resolved = resolveQaStyle(style, answers);
  const normalize = resolved === "squad" ? squadNormalize : korquadNormalize;
  const haystack = normalize(prediction);
  return answers.some((answer) => {
    const needle = normalize(answer);
    if (needle === "") return false;
    return resolved === "squad" ? ` ${haystack} `.includes(` ${needle} `) : haystack.includes(needle);
  });
}

export type RougeTokenizer = "rouge-score" | "unicode" | "auto";

/** Scripts written without spaces between words, or where a character is the useful unit for Korean particles. */
const CHAR_TOKEN_SCRIPTS = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Tokens for ROUGE.
 * - "rouge-score": google-research rouge_score's default tokenizer (rouge/tokenize.py, no stemmer): lowercase,
 *   replace every run of [^a-z0-9] with a space, split on whitespace, keep tokens matching ^[a-z0-9]+$. It drops
 *   all non-ASCII letters, so Korean text has no tokens at all under it.
 * - "unicode": NFC, lowercase, then each Hangul, Han or kana character is one token and every other run of
 *   letters and digits is one token; punctuation and spaces separate tokens. Character tokens for Korean give
 *   partial credit for a word with a different particle (서울에서 / 서울은), as character-level ROUGE does for CJK.
 * - "auto": "unicode" when either text has Hangul, Han or kana, else "rouge-score".
 */
export function rougeTokenize(text: string, tokenizer: Exclude<RougeTokenizer, "auto"> = "rouge-score"): string[] {
  if (tokenizer === "rouge-score") {
    return text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, " ")
      .split(/\s+/)
      .filter((t) => /^[a-z0-9]+$/.test(t));
  }
  const tokens: string[] = [];
  for (const match of text.normalize("NFC").toLowerCase().matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    let run = "";
    for (const ch of match[0]) {
      if (CHAR_TOKEN_SCRIPTS.test(ch)) {
        if (run) tokens.push(run);
        run = "";
        tokens.push(ch);
      } else run += ch;
    }
    if (run) tokens.push(run);
  }
  return tokens;
}

/** Length of the longest common subsequence of two token lists: O(n*m) time, O(m) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let curr = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      curr[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, curr[j - 1]!);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length]!;
}

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/**
 * ROUGE-L as rouge_score's RougeScorer(["rougeL"]) computes it: P = LCS / |prediction|, R = LCS / |target|,
 * F = 2PR / (P + R) (beta = 1), all 0 when either side has no tokens.
 */
export function rougeL(prediction: string, target: string, tokenizer: RougeTokenizer = "auto"): RougeScore {
  const chosen = tokenizer !== "auto" ? tokenizer : CHAR_TOKEN_SCRIPTS.test(prediction + target) ? "unicode" : "rouge-score";
  const pred = rougeTokenize(prediction, chosen);
  const ref = rougeTokenize(target, chosen);
  if (pred.length === 0 || ref.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(ref, pred);
  const precision = lcs / pred.length;
  const recall = lcs / ref.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/** Best ROUGE-L over several references, by F-measure (rouge_score's score_multi keeps the max the same way). */
export function rougeLMax(prediction: string, targets: readonly string[], tokenizer: RougeTokenizer = "auto"): RougeScore {
  let best: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };
  for (const target of targets) {
    const score = rougeL(prediction, target, tokenizer);
    if (score.fmeasure > best.fmeasure) best = score;
  }
  return best;
}
