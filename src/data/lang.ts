// Language of a text from the scripts of its letters: Hangul means Korean, Latin means English (the two languages
// localtune's guidance is written for); anything else is "other". No model, so it works offline and on any size.

export type DocLang = "ko" | "en" | "other";

// Share of letters that must be Hangul to call a text Korean. Korean prose mixes in Latin acronyms, numbers and
// Hanja, so well under half the letters may be Latin; 30 % Hangul already means a Korean reader is expected.
const KO_SHARE = 0.3;
const EN_SHARE = 0.6;

/** Counts Hangul, Latin and all letters over at most the first `sample` characters. */
export function detectLang(text: string, sample = 20_000): DocLang {
  const end = Math.min(text.length, sample);
  let letters = 0;
  let hangul = 0;
  let latin = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)) {
      latin++;
      letters++;
    } else if (isHangul(c)) {
      hangul++;
      letters++;
    } else if (c > 0x7f && OTHER_LETTER.test(text[i]!)) letters++;
  }
  if (letters === 0) return "other";
  if (hangul / letters >= KO_SHARE) return "ko";
  if (latin / letters >= EN_SHARE) return "en";
  return "other";
}

const OTHER_LETTER = /\p{L}/u;

/** Hangul syllables and the jamo blocks (UTF-16 code unit; every Hangul character is in the BMP). */
export function isHangul(c: number): boolean {
  return (
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0x1100 && c <= 0x11ff) ||
    (c >= 0x3130 && c <= 0x318f) ||
    (c >= 0xa960 && c <= 0xa97f) ||
    (c >= 0xd7b0 && c <= 0xd7ff)
  );
}
