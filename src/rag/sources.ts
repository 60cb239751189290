// Reads what `rag index` is given into text records grouped by source, each with a content hash: a prepared dataset
// folder (train/val/test.jsonl), folders of Markdown or text files, or the files themselves.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatasetRecordSchema, SPLIT_NAMES, type TextRecord } from "../data/schema.js";
import { decodeText } from "../data/decode.js";
import { unreadableSkip } from "../data/discover.js";
import { DataInputError, FileNotFoundError } from "../errors.js";
import { walkTree } from "../fs/walk-tree.js";
import { readJsonlWith } from "./jsonl.js";
import { markdownToRecords } from "./markdown-sections.js";

/** File name endings read as documents when a folder or file is given directly. */
export const DOCUMENT_EXTENSIONS = [".md", ".markdown", ".txt"] as const;

export interface SourceGroup {
  source: string;
  /** sha256 of the source's chunks (ids, citations, texts): changes whenever what would be indexed changes. */
  hash: string;
  records: TextRecord[];
}

export interface ReadSourcesResult {
  groups: SourceGroup[];
  /** What was not indexed and why (one line each). */
  skipped: string[];
}

function isDatasetDir(dir: string): boolean {
  return SPLIT_NAMES.some((split) => fs.existsSync(path.join(dir, `${split}.jsonl`)));
}

function readDataset(dir: string, skipped: string[]): TextRecord[] {
  const records: TextRecord[] = [];
  for (const split of SPLIT_NAMES) {
    const file = path.join(dir, `${split}.jsonl`);
    if (!fs.existsSync(file)) continue;
    let chats = 0;
    readJsonlWith(file, DatasetRecordSchema, (record) => {
      if (record.kind === "chat") chats++;
      else records.push({ ...record, text: record.text.normalize("NFC") });
    });
    if (chats > 0) skipped.push(`${file}: ${chats} chat record(s) (only text records are retrievable chunks)`);
  }
  return records;
}

/**
 * Document files under `dir` in name order, depth first (fs/walk-tree.ts: no recursion, no spread of a folder's
 * entries). A folder or link that cannot be read (no permission, dangling, a loop) is listed with the reason; links to
 * folders are not followed, so a link cycle cannot make the walk endless.
 */
function listDocuments(dir: string, skipped: string[]): string[] {
  const out: string[] = [];
  const walk = walkTree(dir, { onUnreadable: (folder, error) => skipped.push(unreadable(folder, error)), compare: (a, b) => a.localeCompare(b) });
  for (const { entry, absolutePath: full } of walk) {
    if (entry.isDirectory()) continue;
    if (entry.isSymbolicLink()) {
      try {
        if (!fs.statSync(full).isFile()) {
          skipped.push(`${full}: a link to a folder or special file (links to folders are not followed)`);
          continue;
        }
      } catch (error) {
        skipped.push(unreadable(full, error));
        continue;
      }
    }
    if (DOCUMENT_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) out.push(full);
    else skipped.push(`${full}: not ${DOCUMENT_EXTENSIONS.join("/")} (use \`localtune data prepare\` for other formats)`);
  }
  return out;
}

/** One skipped line for a path that cannot be read. */
function unreadable(file: string, error: unknown): string {
  const skip = unreadableSkip(file, error);
  return `${skip.source}: ${skip.message}`;
}

/**
 * A document's text: UTF-8 (or a clear legacy encoding such as CP949) through data prepare's decoder, so that
 * damaged UTF-8 and binary files are listed rather than indexed as mojibake; unreadable files are listed too.
 */
function readDocument(file: string, skipped: string[]): string | undefined {
  try {
    return decodeText(fs.readFileSync(file), file).text;
  } catch (error) {
    if (error instanceof DataInputError) skipped.push(`${error.message}`);
    else if ((error as NodeJS.ErrnoException).code) skipped.push(unreadable(file, error));
    else throw error;
    return undefined;
  }
}

function groupHash(records: TextRecord[]): string {
  const h = crypto.createHash("sha256");
  for (const r of records) h.update(r.id).update("\0").update(r.citation).update("\0").update(r.text).update("\0");
  return h.digest("hex");
}

/** Text records of every input, grouped by source path; a source named twice is read once. */
export function readSources(inputs: string[]): ReadSourcesResult {
  const skipped: string[] = [];
  const bySource = new Map<string, TextRecord[]>();
  const add = (records: TextRecord[]) => {
    for (const r of records) {
      const list = bySource.get(r.source) ?? [];
      list.push(r);
      bySource.set(r.source, list);
    }
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "input");
    if (fs.statSync(input).isDirectory()) {
      if (isDatasetDir(input)) add(readDataset(input, skipped));
      // Sources inside a folder are recorded relative to it, so moving the folder keeps the index valid.
      else {
        for (const file of listDocuments(input, skipped)) {
          const text = readDocument(file, skipped);
          if (text !== undefined) add(markdownToRecords(text, path.relative(input, file)));
        }
      }
    } else {
      const text = readDocument(input, skipped);
      if (text !== undefined) add(markdownToRecords(text, path.basename(input)));
    }
  }
  const groups = [...bySource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, records]) => ({ source, hash: groupHash(records), records }));
  return { groups, skipped };
}
