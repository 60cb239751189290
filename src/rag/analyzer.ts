// Lexical analyzers for BM25: turn NFC text into index terms. Korean attaches particles and endings to words
// ("휴가는", "휴가를"), so a plain word split misses matches; two remedies are offered and measured (README, RAG).
import { stripKoreanSuffixes } from "./korean-suffixes.js";

/**
 * "bigram": Hangul runs become overlapping syllable pairs ("유급휴가" -> 유급, 급휴, 휴가), other words stay whole.
 * "morph": each word plus its stem with particles and endings removed ("휴가는" -> 휴가는, 휴가).
 * "morph+bigram": the union of both.
 */
export const ANALYZERS = ["bigram", "morph", "morph+bigram"] as const;
export type AnalyzerName = (typeof ANALYZERS)[number];

const HANGUL_RUN = /^[\uAC00-\uD7A3]+$/;
// A word is a run of Hangul syllables, of digits, or of other letters ("1년간" -> "1", "년간"): script changes split
// words so that numbers and Latin terms match on their own.
const WORD = /[\uAC00-\uD7A3]+|\p{N}+|[[\p{L}\p{M}]--[\uAC00-\uD7A3]]+/gv;

/** Words of a text, NFC and lower-cased. */
export function splitWords(text: string): string[] {
  return text.normalize("NFC").toLowerCase().match(WORD) ?? [];
}

/** Overlapping syllable bigrams of a Hangul word; a one-syllable word stays as it is. */
export function hangulBigrams(word: string): string[] {
  const chars = Array.from(word);
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Index or query terms of a text, in order, with repeats (BM25 counts them). */
export function analyze(text: string, analyzer: AnalyzerName): string[] {
  const terms: string[] = [];
  for (const word of splitWords(text)) {
    const hangul = HANGUL_RUN.test(word);
    if (!hangul) {
      terms.push(word);
      continue;
    }
    if (analyzer !== "bigram") {
      terms.push(word);
      const stem = stripKoreanSuffixes(word);
      if (stem !== word) terms.push(stem);
    }
    // A two-syllable word is its own only bigram: counting it twice would double its weight.
    if (analyzer !== "morph") for (const bigram of hangulBigrams(word)) if (analyzer === "bigram" || bigram !== word) terms.push(bigram);
  }
  return terms;
}
