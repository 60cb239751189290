// Splits a document into sections by its structure: Markdown headings, and the parts of Korean statutes
// (편 / 장 / 절 / 관 / 조, and 부칙 blocks) even in plain text. Each section knows its heading path and citation.

export interface Section {
  /** Headings enclosing the section, outermost first; the last one is the section's own heading. */
  headingPath: string[];
  /** The section's text, starting with its heading line (without Markdown markers). */
  text: string;
  /** Character offset of the section's heading (or body) in the document. */
  offset: number;
}

const MD_HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
// An article: "제60조(연차 유급휴가)", "제2조의2 (정의)", "제10조 삭제 <2008.3.21>"; the title in parentheses
// or the word 삭제 is required so that a sentence starting with "제2조에 따른..." is not taken for a heading.
const ARTICLE = /^(제\d+조(?:의\d+)?)[ \t]*(\([^)\n]*\)|(?=삭제))/;
// A heading (Markdown or already detected) that names an article, with or without a title ("제1조" in the Constitution).
const ARTICLE_HEADING = /^제\d+조(?:의\d+)?(?:$|[ \t(])/;
// Part / chapter / section / sub-section headings of a statute on a line of their own.
const STATUTE_PART = /^제\d+(?:편|장|절|관)(?:의\d+)?(?:[ \t]+\S.{0,60})?$/;
// An addendum block ("부칙", "부칙 <제8372호,2007.4.11>").
const ADDENDUM = /^부칙(?:[ \t]*<[^>\n]*>)?[ \t]*$/;

const PART_LEVEL: Record<string, number> = { 편: 1, 장: 2, 절: 3, 관: 4 };
const ADDENDUM_LEVEL = 6;
const ARTICLE_LEVEL = 7;

/** "제1조 (목적)" → "제1조(목적)": the form statutes are cited in. */
export function normalizeArticleHeading(heading: string): string {
  return heading.replace(/^(제\d+조(?:의\d+)?)[ \t]+\(/, "$1(");
}

export function isArticleHeading(heading: string): boolean {
  return ARTICLE_HEADING.test(heading);
}

/** Sections of a document; text before the first heading is a section with an empty heading path. */
export function splitSections(text: string, markdown: boolean, title: string): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; heading: string }> = [];
  let lines: string[] = [];
  let hasBody = false;
  let offset = 0;
  let start = 0;
  const flush = () => {
    // A heading directly followed by another heading ("## 제1장 총칙" then "##### 제1조") is only path.
    if (hasBody) sections.push({ headingPath: stack.map((s) => s.heading), text: lines.join("\n").trim(), offset: start });
    lines = [];
    hasBody = false;
  };
  const open = (level: number, heading: string, rest: string) => {
    flush();
    while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
    start = offset;
    // The document's own title heading is the citation's prefix, not part of the path nor of the text.
    if (level === 1 && heading === title && stack.length === 0) return;
    stack.push({ level, heading });
    lines = [rest ? `${heading} ${rest}` : heading];
    hasBody = rest !== "";
  };
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    // Inside a fenced code block a "#" line is a comment, not a heading.
    const marker = markdown ? /^(`{3,}|~{3,})/.exec(trimmed)?.[1] : undefined;
    if (marker && (fence === undefined || marker.startsWith(fence))) fence = fence === undefined ? marker : undefined;
    const inCode = fence !== undefined || marker !== undefined;
    const md = markdown && !inCode ? MD_HEADING.exec(trimmed) : null;
    const article = md || inCode ? null : ARTICLE.exec(trimmed);
    if (md) {
      const heading = md[2]!.trim();
      open(md[1]!.length, isArticleHeading(heading) ? normalizeArticleHeading(heading) : heading, "");
    } else if (article) {
      open(ARTICLE_LEVEL, normalizeArticleHeading(article[0]).trim(), trimmed.slice(article[0].length).trim());
    } else if (!inCode && STATUTE_PART.test(trimmed)) {
      open(PART_LEVEL[/^제\d+(편|장|절|관)/.exec(trimmed)![1]!]!, trimmed, "");
    } else if (!inCode && ADDENDUM.test(trimmed)) {
      open(stack.some((s) => s.heading === "부칙") ? ADDENDUM_LEVEL : 2, trimmed, "");
    } else {
      if (!hasBody && lines.length === 0) start = offset;
      lines.push(line);
      if (trimmed) hasBody = true;
    }
    offset += line.length + 1;
  }
  flush();
  return sections;
}

/**
 * The citation of a chunk. Statute articles cite as the law does ("근로기준법 제60조(연차 유급휴가)", chapters
 * left out); other documents cite the title and heading path ("Guide › Install › Linux").
 */
export function citationFor(title: string, headingPath: string[]): string {
  const last = headingPath[headingPath.length - 1];
  if (last && isArticleHeading(last)) {
    const parts = headingPath.filter((h, i) => !STATUTE_PART.test(h) && !(headingPath[i + 1]?.startsWith(h) ?? false));
    return [title, ...parts].join(" ");
  }
  return [title, ...headingPath].join(" › ");
}
