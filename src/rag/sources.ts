// Reads what `rag index` is given into text records grouped by source, each with a content hash: a prepared dataset
// folder (train/val/test.jsonl), folders of Markdown or text files, or the files themselves.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatasetRecordSchema, SPLIT_NAMES, type TextRecord } from "../data/schema.js";
import { FileNotFoundError } from "../errors.js";
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

function listDocuments(dir: string, skipped: string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listDocuments(full, skipped));
    else if (DOCUMENT_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) out.push(full);
    else skipped.push(`${full}: not ${DOCUMENT_EXTENSIONS.join("/")} (use \`localtune data prepare\` for other formats)`);
  }
  return out;
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
      else for (const file of listDocuments(input, skipped)) add(markdownToRecords(fs.readFileSync(file, "utf8"), path.relative(input, file)));
    } else {
      add(markdownToRecords(fs.readFileSync(input, "utf8"), path.basename(input)));
    }
  }
  const groups = [...bySource.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([source, records]) => ({ source, hash: groupHash(records), records }));
  return { groups, skipped };
}
