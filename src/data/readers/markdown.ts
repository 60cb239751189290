// Markdown and plain text: YAML front matter (between `---` lines at the top) becomes metadata and may give the title.
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { normalizeText } from "../normalize.js";
import type { ReadInfo, TextDocument } from "../types.js";

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;
const TITLE_KEYS = ["title", "Title", "제목", "name"];

/** Splits off front matter; invalid YAML keeps the block as text and adds a note (never dropped silently). */
export function splitFrontMatter(text: string, info: ReadInfo): { body: string; meta: Record<string, unknown> } {
  const match = FRONT_MATTER.exec(text);
  if (!match) return { body: text, meta: {} };
  try {
    const meta: unknown = parseYaml(match[1]!);
    if (meta && typeof meta === "object" && !Array.isArray(meta)) {
      return { body: text.slice(match[0].length), meta: meta as Record<string, unknown> };
    }
    info.notes.push("front matter is not a YAML mapping; kept as text");
  } catch (error) {
    info.notes.push(`front matter is not valid YAML (${(error as Error).message.split("\n")[0]}); kept as text`);
  }
  return { body: text, meta: {} };
}

/** A document title: front matter, else the first level-1 heading (Markdown only), else the file name without extension. */
export function pickTitle(meta: Record<string, unknown>, body: string, rel: string, markdown: boolean): string {
  for (const key of TITLE_KEYS) {
    const value = meta[key];
    if (typeof value === "string" && value.trim()) return normalizeText(value);
  }
  if (markdown) {
    const h1 = /^#[ \t]+(.+?)[ \t#]*$/m.exec(body);
    if (h1) return h1[1]!.trim();
  }
  return path.basename(rel).replace(/\.[^.]+$/, "");
}

export function readMarkdown(decoded: string, rel: string, info: ReadInfo, markdown: boolean): TextDocument {
  const normalised = normalizeText(decoded);
  const { body, meta } = markdown ? splitFrontMatter(normalised, info) : { body: normalised, meta: {} };
  if (Object.keys(meta).length) info.frontMatter = meta;
  return { kind: "text", text: body.trim(), title: pickTitle(meta, body, rel, markdown), markdown, metadata: meta };
}
