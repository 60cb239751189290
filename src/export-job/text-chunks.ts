// Cuts long documents into pieces a trainer takes whole. Axolotl's `completion` type truncates each record at 64 x
// sequence_len tokens before it splits the record into sequences, so a long document must arrive as several records.
// Pieces are exact slices of the text, cut at paragraph, then line, sentence and word boundaries: joined back they
// give the document unchanged.

/** Counts the tokens of a text (the base model's tokenizer). */
export type TokenCounter = (text: string) => number;

/** Boundaries tried in order: blank lines, line ends, sentence ends, spaces. Each separator stays with the piece before it. */
const BOUNDARIES = [/\n\s*\n/g, /\n/g, /(?<=[.!?。？！])\s+/g, /\s+/g];

/** Splits `text` after every match of `pattern` (the match stays at the end of the piece before the cut). */
function splitAfter(text: string, pattern: RegExp): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const m of text.matchAll(pattern)) {
    const end = m.index + m[0].length;
    if (end > start && end < text.length) {
      pieces.push(text.slice(start, end));
      start = end;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Pieces of at most `maxTokens` tokens each, cut at the coarsest boundary that fits; a lone word over the limit is cut by characters. */
function atoms(text: string, maxTokens: number, count: TokenCounter, level: number): Array<{ text: string; tokens: number }> {
  const tokens = count(text);
  if (tokens <= maxTokens) return [{ text, tokens }];
  if (level >= BOUNDARIES.length) {
    // No boundary left (one very long word): windows of code points (a surrogate pair is never split), halved until
    // one window fits.
    const chars = [...text];
    let width = Math.max(1, Math.min(chars.length, maxTokens));
    while (width > 1 && count(chars.slice(0, width).join("")) > maxTokens) width = Math.floor(width / 2);
    const out: Array<{ text: string; tokens: number }> = [];
    for (let i = 0; i < chars.length; i += width) {
      const piece = chars.slice(i, i + width).join("");
      out.push({ text: piece, tokens: count(piece) });
    }
    return out;
  }
  const parts = splitAfter(text, BOUNDARIES[level]!);
  if (parts.length === 1) return atoms(text, maxTokens, count, level + 1);
  return parts.flatMap((part) => atoms(part, maxTokens, count, level + 1));
}

/**
 * Groups the document's pieces greedily into chunks of at most `maxTokens` tokens (summing the pieces' counts, which
 * a tokenizer may differ from by a token or so at each join: callers leave a margin). The chunks joined are `text`.
 */
export function chunkText(text: string, maxTokens: number, count: TokenCounter): string[] {
  const chunks: string[] = [];
  let current = "";
  let currentTokens = 0;
  for (const atom of atoms(text, maxTokens, count, 0)) {
    if (current !== "" && currentTokens + atom.tokens > maxTokens) {
      chunks.push(current);
      current = "";
      currentTokens = 0;
    }
    current += atom.text;
    currentTokens += atom.tokens;
  }
  if (current !== "") chunks.push(current);
  return chunks;
}
