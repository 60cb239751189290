// A light Korean stemmer: strips one trailing particle (조사) or verbal ending (어미) from a Hangul word, so that
// "휴가는", "휴가를" and "휴가의" meet at "휴가". Rule-based on purpose: no morphological dictionary ships on npm.

// Longest first, so "에서는" wins over "는". Multi-syllable suffixes are specific enough to strip from any word
// with at least two syllables left; one-syllable particles are ambiguous ("국가" is not "국" + "가") and only come
// off words of three or more syllables.
const LONG_SUFFIXES = [
  "으로부터", "에게서는", "이었는지", "하였는가", "되었는가", "하였는지", "입니까", "인가요", "하나요", "되나요",
  "있나요", "없나요", "해야하나", "하는가", "되는가", "있는가", "없는가", "하려면", "으로서", "으로써", "에서는",
  "에서도", "에게는", "에게도", "이라도", "이라면", "이라는", "이라고", "까지는", "까지도", "부터는", "에서의",
  "으로는", "으로도", "에게서", "로부터", "하여야", "되어야", "한다면", "하는지", "되는지", "인지요", "이어야",
  "에서", "에게", "한테", "께서", "으로", "로서", "로써", "부터", "까지", "마다", "처럼", "보다", "이나", "이며",
  "이고", "이란", "라는", "와의", "과의", "에는", "에도", "인가", "인지", "이다", "한다", "된다", "하는", "되는",
  "하여", "되어", "해야", "하면", "되면", "하고", "하지", "되지", "할까", "나요", "는가", "려면", "하게", "했을",
  "하는데", "받는", "받을", "받으려면", "했다", "였다", "이면", "이라",
].sort((a, b) => b.length - a.length);
// The long suffixes by their last character (longest first within each), with their length in characters: a word
// is only compared with the few that can match it (this runs for every word indexed).
const LONG_BY_LAST = new Map<string, { suffix: string; chars: number }[]>();
for (const suffix of LONG_SUFFIXES) {
  const chars = Array.from(suffix);
  const last = chars[chars.length - 1]!;
  LONG_BY_LAST.set(last, [...(LONG_BY_LAST.get(last) ?? []), { suffix, chars: chars.length }]);
}
const SHORT_SUFFIXES = ["은", "는", "이", "가", "을", "를", "의", "에", "도", "만", "와", "과", "로", "나", "란", "며", "면", "할", "한", "된", "될"];

/** The word without one trailing particle or ending, or the word itself when none applies. */
export function stripKoreanSuffixes(word: string): string {
  const chars = Array.from(word);
  for (const { suffix, chars: n } of LONG_BY_LAST.get(chars[chars.length - 1] ?? "") ?? []) {
    if (chars.length - n >= 2 && word.endsWith(suffix)) return chars.slice(0, chars.length - n).join("");
  }
  if (chars.length >= 3 && SHORT_SUFFIXES.includes(chars[chars.length - 1]!)) return chars.slice(0, -1).join("");
  return word;
}
