// A minimal reader that cuts a Markdown document into one chunk per heading section (one per article in a statute:
// "##### 제60조 (연차 유급휴가)"). Used when `rag index` is given files rather than a prepared dataset folder.
import crypto from "node:crypto";
import { splitSection } from "../data/chunk.js";
import type { TextRecord } from "../data/schema.js";
import type { TokenCounter } from "../data/tokenizer.js";

/** Longest chunk, in characters: a longer section is cut at paragraph breaks so one source fits a context. */
export const MAX_SECTION_CHARS = 4000;

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
// A statute article heading "제60조 (연차 유급휴가)" or "제6조의2 (...)", cited without the space.
const ARTICLE = /^(제\d+조(?:의\d+)?)\s*(\(.*\))?\s*(.*)$/;

/** The document title: front matter `제목:` / `title:`, else the first level-1 heading, else the file name. */
function documentTitle(frontMatter: string, body: string, fallback: string): string {
  const fm = /^(?:제목|title):\s*['"]?(.+?)['"]?\s*$/m.exec(frontMatter);
  if (fm) return fm[1]!;
  const h1 = /^#\s+(.+?)\s*$/m.exec(body);
  return h1 ? h1[1]! : fallback;
}

/** "제60조 (연차 유급휴가)" -> "제60조(연차 유급휴가)"; other headings unchanged. */
export function compactHeading(heading: string): string {
  const m = ARTICLE.exec(heading);
  return m ? `${m[1]}${m[2] ?? ""}${m[3] ? ` ${m[3]}` : ""}` : heading;
}

function splitFrontMatter(text: string): { frontMatter: string; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  return m ? { frontMatter: m[1]!, body: text.slice(m[0].length) } : { frontMatter: "", body: text };
}

/** Characters as the unit, to cut an over-long paragraph with data prepare's structure-aware splitter. */
const CHARACTERS: TokenCounter = { kind: "estimate", description: "characters", count: (text) => text.length };

/**
 * Cuts an over-long section at blank lines into pieces of at most MAX_SECTION_CHARS; a paragraph longer than that is
 * cut at line, sentence, then word boundaries (a 50 MB one-line file becomes chunks, not one 50 MB record).
 */
function splitLong(text: string): string[] {
  if (text.length <= MAX_SECTION_CHARS) return [text];
  const pieces: string[] = [];
  let current = "";
  for (const whole of text.split(/\n\s*\n/)) {
    const parts = whole.length <= MAX_SECTION_CHARS ? [whole] : splitSection(whole, CHARACTERS, { maxTokens: MAX_SECTION_CHARS, overlapTokens: 0 }).map((p) => p.text);
    for (const para of parts) {
      if (current && current.length + para.length + 2 > MAX_SECTION_CHARS) {
        pieces.push(current);
        current = "";
      }
      current = current ? `${current}\n\n${para}` : para;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}

/**
 * Text records of one Markdown document: one per non-empty section under its heading path (document title
 * excluded, which goes into the citation). `source` is the path recorded with each chunk.
 */
export function markdownToRecords(text: string, source: string): TextRecord[] {
  const normalized = text.normalize("NFC").replace(/\r\n/g, "\n");
  const docId = crypto.createHash("sha256").update(normalized).digest("hex").slice(0, 16);
  const { frontMatter, body } = splitFrontMatter(normalized);
  const fileName = source.split(/[\\/]/).pop() ?? source;
  const title = documentTitle(frontMatter, body, fileName.replace(/\.[^.]+$/, ""));

  const records: TextRecord[] = [];
  const path: Array<{ level: number; text: string }> = [];
  let lines: string[] = [];
  const flush = () => {
    const content = lines.join("\n").trim();
    lines = [];
    if (!content) return;
    const headingPath = path.filter((h) => h.level > 1).map((h) => h.text);
    const last = headingPath[headingPath.length - 1];
    const citation = last ? `${title} ${last}` : title;
    for (const piece of splitLong(content)) {
      records.push({
        kind: "text",
        id: `${docId}#${records.length}`,
        docId,
        source,
        headingPath,
        citation,
        lang: /[\uAC00-\uD7A3]/.test(piece) ? "ko" : /[a-z]/i.test(piece) ? "en" : "other",
        text: piece,
      });
    }
  };
  for (const line of body.split("\n")) {
    const m = HEADING.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    flush();
    const level = m[1]!.length;
    while (path.length && path[path.length - 1]!.level >= level) path.pop();
    path.push({ level, text: compactHeading(m[2]!) });
  }
  flush();
  return records;
}
