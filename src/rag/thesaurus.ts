// Query expansion from a thesaurus of everyday words to the wording documents use: people ask about "월급" and
// "세입자", statutes say "임금" and "임차인", and no lexical analyzer bridges that gap on its own.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { RagInputError } from "../errors.js";

/** The built-in Korean everyday-to-statute thesaurus (a TSV next to this file). */
export const BUILTIN_THESAURUS = fileURLToPath(new URL("./thesaurus/ko-law.tsv", import.meta.url));

/** Everyday phrase -> terms to add; phrases are NFC. */
export type Thesaurus = ReadonlyMap<string, string[]>;

/** Reads a thesaurus TSV: "phrase<TAB>term, term" per line, # comments, blank lines ignored. */
export function readThesaurus(file: string): Thesaurus {
  const map = new Map<string, string[]>();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.normalize("NFC").replace(/\r$/, "");
      if (!line.trim() || line.startsWith("#")) return;
      const [phrase, terms, extra] = line.split("\t");
      const list = (terms ?? "").split(",").map((t) => t.trim()).filter(Boolean);
      if (!phrase?.trim() || list.length === 0 || extra !== undefined) {
        throw new RagInputError(file, i + 1, 'expected "everyday phrase<TAB>term, term"');
      }
      map.set(phrase.trim(), [...(map.get(phrase.trim()) ?? []), ...list]);
    });
  return map;
}

/** The question followed by the terms of every thesaurus phrase it contains (each term once). */
export function expandQuery(question: string, thesaurus: Thesaurus): string {
  const text = question.normalize("NFC");
  const added = new Set<string>();
  for (const [phrase, terms] of thesaurus) if (text.includes(phrase)) for (const t of terms) added.add(t);
  return added.size === 0 ? text : `${text} ${[...added].join(" ")}`;
}
