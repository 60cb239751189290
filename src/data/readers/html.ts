// HTML to structured text: Readability picks the main content (drops navigation, ads, footers); headings become
// Markdown headings so the chunker keeps the structure. Also used for DOCX, which mammoth turns into HTML.
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";

const BLOCKS = new Set(["P", "DIV", "SECTION", "ARTICLE", "MAIN", "BLOCKQUOTE", "PRE", "TABLE", "TR", "UL", "OL", "DL", "DT", "DD", "FIGURE", "FIGCAPTION", "HEADER", "FOOTER", "ADDRESS"]);
const BOILERPLATE = "script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, button";

/** The part of the DOM this file reads (the project compiles without the DOM library). */
interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  tagName?: string;
  remove(): void;
  querySelectorAll(selector: string): ArrayLike<DomNode>;
}

export interface HtmlText {
  title: string;
  /** Text with `#` headings, paragraphs separated by blank lines. */
  text: string;
}

/** Main text of a web page. With `extractMain` false (DOCX output) every element is kept. */
export function htmlToText(html: string, extractMain = true): HtmlText {
  const page = html.includes("<html") ? html : `<!doctype html><html><head></head><body>${html}</body></html>`;
  const { document } = parseHTML(page);
  const title = (document.querySelector("title")?.textContent ?? "").trim();
  let root: DomNode | null = null;
  if (extractMain) {
    // Readability mutates the document it is given, so it gets its own parse of the same markup.
    const article = new Readability(parseHTML(page).document as never, { charThreshold: 200 }).parse();
    if (article?.content) root = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as DomNode;
  }
  if (!root) {
    // Short pages fall below Readability's threshold: drop the usual boilerplate elements ourselves.
    root = document.body as unknown as DomNode | null;
    if (root) for (const el of Array.from(root.querySelectorAll(BOILERPLATE))) el.remove();
  }
  const out: string[] = [];
  if (root) walk(root, out);
  return { title, text: out.join("").replace(/[ \t]*\n[ \t]*/g, "\n").replace(/\n{3,}/g, "\n\n").trim() };
}

function walk(node: DomNode, out: string[]): void {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 3) {
      out.push((child.textContent ?? "").replace(/\s+/g, " "));
      continue;
    }
    if (child.nodeType !== 1) continue;
    const tag = (child.tagName ?? "").toUpperCase();
    const heading = /^H([1-6])$/.exec(tag);
    if (heading) {
      out.push(`\n\n${"#".repeat(Number(heading[1]))} ${(child.textContent ?? "").replace(/\s+/g, " ").trim()}\n\n`);
    } else if (tag === "BR") out.push("\n");
    else if (tag === "LI") {
      out.push("\n- ");
      walk(child, out);
      out.push("\n");
    } else if (tag === "TD" || tag === "TH") {
      walk(child, out);
      out.push(" | ");
    } else if (BLOCKS.has(tag)) {
      out.push("\n\n");
      walk(child, out);
      out.push("\n\n");
    } else if (!SKIPPED_TAGS.has(tag)) walk(child, out);
  }
}

const SKIPPED_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
