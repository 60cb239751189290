// Token-aware chunking that follows the structure: each section (Markdown heading, statute article) starts a new
// chunk; a section longer than the budget is cut at paragraph, line, sentence, then word boundaries, with overlap.
import { citationFor, splitSections } from "./structure.js";
import type { TokenCounter } from "./tokenizer.js";

export interface ChunkOptions {
  /** Largest chunk in tokens (of the counter). */
  maxTokens: number;
  /** Tokens of the previous chunk repeated at the start of the next one when a section is cut. */
  overlapTokens: number;
}

export interface Chunk {
  text: string;
  headingPath: string[];
  citation: string;
  tokens: number;
  /** 0 for the chunk that starts its section, 1, 2... for the chunks that continue it. */
  part: number;
}

// Cut points from coarse to fine; each keeps its separator at the end of the piece so text is not altered.
const SEPARATORS: RegExp[] = [/(?<=\n\n)/, /(?<=\n)/, /(?<=[.!?。](?:["'”’)\]]*)[ \n]+)/, /(?<=다\.[ ]*)/, /(?<= )/];

export function chunkDocument(text: string, markdown: boolean, title: string, counter: TokenCounter, options: ChunkOptions): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of splitSections(text, markdown, title)) {
    const citation = citationFor(title, section.headingPath);
    const parts = splitSection(section.text, counter, options);
    parts.forEach((part, i) => chunks.push({ text: part.text, tokens: part.tokens, headingPath: section.headingPath, citation, part: i }));
  }
  return chunks;
}

interface Piece {
  text: string;
  tokens: number;
}

/**
 * The section as one chunk when it fits, else pieces packed greedily up to maxTokens with overlap. Streaming: cut
 * points are found lazily and only the units of the chunk being packed are held, so a section of any length (one
 * 50 MB line) costs memory for one chunk and time linear in its length; no recursion, no spread of unbounded arrays.
 */
export function splitSection(text: string, counter: TokenCounter, options: ChunkOptions): Piece[] {
  const whole = counter.count(text);
  if (whole <= options.maxTokens) return [{ text, tokens: whole }];
  const source = atoms(text, counter, options.maxTokens);
  // window[0] is the unit at `start`; units are pulled from the source only when packing needs them.
  const window: Piece[] = [];
  const unit = (i: number): Piece | undefined => {
    while (window.length <= i) {
      const next = source.next();
      if (next.done) return undefined;
      window.push(next.value);
    }
    return window[i];
  };
  const out: Piece[] = [];
  for (;;) {
    let end = 0;
    let sum = 0;
    for (let u = unit(0); u && (end === 0 || sum + u.tokens <= options.maxTokens); u = unit(end)) {
      sum += u.tokens;
      end++;
    }
    // Unit counts add up only approximately (merges across a cut): check the joined text and shrink if needed.
    let chunkText = join(window, 0, end);
    let tokens = counter.count(chunkText);
    while (tokens > options.maxTokens && end > 1) {
      end--;
      chunkText = join(window, 0, end);
      tokens = counter.count(chunkText);
    }
    out.push({ text: chunkText, tokens });
    if (!unit(end)) break;
    // Overlap: step back over whole trailing units worth at most overlapTokens, always moving forward.
    let next = end;
    let back = 0;
    while (next - 1 > 0 && back + window[next - 1]!.tokens <= options.overlapTokens) back += window[--next]!.tokens;
    window.splice(0, next);
  }
  return out;
}

function join(units: Piece[], start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += units[i]!.text;
  return s.trim();
}

/**
 * Pieces no larger than max tokens, in text order, cutting with the coarsest separator that works and characters as
 * a last resort: a depth-first walk over the separator levels with an explicit stack of lazy cutters.
 */
function* atoms(text: string, counter: TokenCounter, max: number): Generator<Piece> {
  // Each level remembers its text's length and count: a separator that does not occur yields the text whole, whose
  // count is then known (a 50 MB line is counted once, not once per level).
  const stack: { parts: Generator<string>; level: number; length: number; tokens: number }[] = [
    { parts: cut(text, SEPARATORS[0]!), level: 0, length: text.length, tokens: counter.count(text) },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const next = top.parts.next();
    if (next.done) {
      stack.pop();
      continue;
    }
    const part = next.value;
    const tokens = part.length === top.length ? top.tokens : counter.count(part);
    if (tokens <= max) yield { text: part, tokens };
    else if (top.level + 1 < SEPARATORS.length) stack.push({ parts: cut(part, SEPARATORS[top.level + 1]!), level: top.level + 1, length: part.length, tokens });
    else yield* hardCut(part, counter, max);
  }
}

/** The non-empty pieces of `text.split(separator)` for a zero-width separator, found one at a time. */
function* cut(text: string, separator: RegExp): Generator<string> {
  const finder = new RegExp(separator.source, "g");
  let start = 0;
  finder.lastIndex = 1;
  for (let m = finder.exec(text); m; m = finder.exec(text)) {
    if (m.index > start) {
      yield text.slice(start, m.index);
      start = m.index;
    }
    finder.lastIndex = start + 1;
  }
  if (start < text.length) yield text.slice(start);
}

/**
 * Longest prefixes that fit, never splitting a surrogate pair; at least one code point each. The search starts from
 * the previous piece's length (text cut this far down is usually uniform, so two counts settle it), gallops up by
 * doubling steps while it fits, then halves between the last fit and the first misfit: each piece costs a few counts
 * of its own length, whatever the text's length.
 */
function* hardCut(text: string, counter: TokenCounter, max: number): Generator<Piece> {
  const fits = (from: number, to: number) => counter.count(text.slice(from, to)) <= max;
  // A cut index moved forward off the middle of a surrogate pair.
  const whole = (i: number) => (i < text.length && i > 0 && isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1)) ? i + 1 : i);
  let start = 0;
  let last = Math.max(1, max);
  while (start < text.length) {
    let good = whole(start + 1);
    let bad = text.length + 1;
    const guess = whole(Math.min(text.length, start + last));
    if (guess > good) {
      if (fits(start, guess)) good = guess;
      else bad = guess;
    }
    for (let step = 1; good < text.length && bad === text.length + 1; step *= 2) {
      const probe = whole(Math.min(text.length, good + step));
      if (fits(start, probe)) good = probe;
      else bad = probe;
    }
    while (bad - good > 1) {
      const mid = whole(Math.floor((good + bad) / 2));
      if (mid >= bad) break;
      if (fits(start, mid)) good = mid;
      else bad = mid;
    }
    const piece = text.slice(start, good);
    yield { text: piece, tokens: counter.count(piece) };
    last = good - start;
    start = good;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
