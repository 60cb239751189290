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

/** The section as one chunk when it fits, else pieces packed greedily up to maxTokens with overlap. */
export function splitSection(text: string, counter: TokenCounter, options: ChunkOptions): Piece[] {
  const whole = counter.count(text);
  if (whole <= options.maxTokens) return [{ text, tokens: whole }];
  const units = atoms(text, counter, options.maxTokens, 0);
  const out: Piece[] = [];
  let start = 0;
  while (start < units.length) {
    let end = start;
    let sum = 0;
    while (end < units.length && (end === start || sum + units[end]!.tokens <= options.maxTokens)) sum += units[end++]!.tokens;
    // Unit counts add up only approximately (merges across a cut): check the joined text and shrink if needed.
    let chunkText = join(units, start, end);
    let tokens = counter.count(chunkText);
    while (tokens > options.maxTokens && end - start > 1) {
      end--;
      chunkText = join(units, start, end);
      tokens = counter.count(chunkText);
    }
    out.push({ text: chunkText, tokens });
    if (end >= units.length) break;
    // Overlap: step back over whole trailing units worth at most overlapTokens, always moving forward.
    let next = end;
    let back = 0;
    while (next - 1 > start && back + units[next - 1]!.tokens <= options.overlapTokens) back += units[--next]!.tokens;
    start = next;
  }
  return out;
}

function join(units: Piece[], start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += units[i]!.text;
  return s.trim();
}

/** Pieces no larger than max tokens, cutting with the coarsest separator that works, characters as a last resort. */
function atoms(text: string, counter: TokenCounter, max: number, level: number): Piece[] {
  const separator = SEPARATORS[level];
  if (!separator) return hardCut(text, counter, max);
  const out: Piece[] = [];
  for (const part of text.split(separator)) {
    if (!part) continue;
    const tokens = counter.count(part);
    if (tokens <= max) out.push({ text: part, tokens });
    else out.push(...atoms(part, counter, max, level + 1));
  }
  return out;
}

/** Longest prefixes that fit, found by binary search over code points (never splitting a surrogate pair). */
function hardCut(text: string, counter: TokenCounter, max: number): Piece[] {
  const chars = Array.from(text);
  const out: Piece[] = [];
  let start = 0;
  while (start < chars.length) {
    let lo = start + 1;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (counter.count(chars.slice(start, mid).join("")) <= max) lo = mid;
      else hi = mid - 1;
    }
    const piece = chars.slice(start, lo).join("");
    out.push({ text: piece, tokens: counter.count(piece) });
    start = lo;
  }
  return out;
}
