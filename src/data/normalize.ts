// Text normalisation applied to every document before chunking and deduplication: Unicode NFC (so decomposed
// Hangul jamo from macOS file names or old editors compose into syllables), line endings, control characters, spaces.

// C0/C1 controls except tab and newline, plus zero-width and BOM characters that are invisible but split tokens.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u200C\u200D\u2060\uFEFF]/g;
// Spaces that are not U+0020 (no-break, ideographic, en/em spaces...) become an ordinary space.
const ODD_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

/** NFC, \n line endings, no control or zero-width characters, single spaces, at most one blank line in a row. */
export function normalizeText(raw: string): string {
  return raw
    .replace(/\r\n?|\u2028|\u2029|\u0085/g, "\n")
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(ODD_SPACES, " ")
    .replace(/\t/g, " ")
    .replace(/ {2,}/g, " ")
    .replace(/ +\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The key for exact duplicate detection: normalised text with all whitespace removed and letters lower-cased. */
export function dedupKey(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/g, "");
}
