// Dispatches a source file to its reader by extension and yields documents and chat samples one at a time, so
// large JSONL / CSV files stream. Line-level problems become skips, or errors under --strict.
import fs from "node:fs";
import readline from "node:readline";
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { parse as parseCsv } from "csv-parse";
import { DataInputError } from "../../errors.js";
import { binaryError, decodeText, emptyError, invalidUtf8Error, lineAt, scanUtf8 } from "../decode.js";
import { normalizeText } from "../normalize.js";
import type { ReadInfo, SkipEntry, SourceFile, SourceItem } from "../types.js";
import { docxToText } from "./docx.js";
import { htmlToText } from "./html.js";
import { interpretRecord, type FieldMapping } from "./instruct.js";
import { pickTitle, readMarkdown } from "./markdown.js";
import { pdfToText } from "./pdf.js";

export interface ReadOptions {
  /** Fail on the first invalid record line instead of skipping it. */
  strict?: boolean;
  /** Column names for CSV instruction data (else recognised from the header). */
  csv?: FieldMapping;
  /** A system prompt added to conversations that have none. */
  systemPrompt?: string;
}

export function newReadInfo(format: string): ReadInfo {
  return { format, shapes: new Set(), unusedFields: new Set(), notes: [] };
}

/** Yields the items of one file; whole-file problems throw DataInputError, line problems go to `skip`. */
export async function* readSource(
  file: SourceFile,
  info: ReadInfo,
  options: ReadOptions,
  skip: (entry: SkipEntry) => void,
): AsyncGenerator<SourceItem> {
  if (file.size === 0) throw emptyError(file.rel);
  switch (file.ext) {
    case "pdf": {
      const pdf = await pdfToText(fs.readFileSync(file.path), file.rel);
      const text = normalizeText(pdf.text);
      yield { kind: "text", text, title: pdf.title || pickTitle({}, text, file.rel, false), markdown: false, metadata: { pages: pdf.pages } };
      return;
    }
    case "docx": {
      const docx = await docxToText(fs.readFileSync(file.path), file.rel);
      info.notes.push(...docx.warnings);
      yield nonEmpty(readMarkdown(docx.text, file.rel, info, true), file.rel);
      return;
    }
    case "html":
    case "htm": {
      const decoded = decodeText(fs.readFileSync(file.path), file.rel);
      info.encoding = decoded.encoding;
      const page = htmlToText(decoded.text);
      const doc = readMarkdown(page.text, file.rel, info, true);
      if (page.title) doc.title = normalizeText(page.title);
      yield nonEmpty(doc, file.rel);
      return;
    }
    case "jsonl":
      yield* readJsonl(file, info, options, skip);
      return;
    case "json":
      yield* readJson(file, info, options, skip);
      return;
    case "csv":
      yield* readCsv(file, info, options, skip);
      return;
    default: {
      const decoded = decodeText(fs.readFileSync(file.path), file.rel);
      info.encoding = decoded.encoding;
      yield nonEmpty(readMarkdown(decoded.text, file.rel, info, file.ext === "md" || file.ext === "markdown"), file.rel);
    }
  }
}

function nonEmpty<T extends { text: string }>(doc: T, rel: string): T {
  if (!doc.text.trim()) throw emptyError(rel);
  return doc;
}

/** One record to an item, or a skip (or an error under --strict) naming the line. */
function toItem(record: unknown, line: number, file: SourceFile, info: ReadInfo, options: ReadOptions, skip: (e: SkipEntry) => void, mapping?: FieldMapping): SourceItem | undefined {
  const result = interpretRecord(record, mapping);
  if ("error" in result) {
    lineProblem(file, line, "invalid-record", result.error, options, skip);
    return undefined;
  }
  info.shapes.add(result.shape);
  if (record && typeof record === "object") for (const key of Object.keys(record)) if (!result.used.includes(key)) info.unusedFields.add(key);
  if ("text" in result) {
    return { kind: "text", text: normalizeText(result.text), title: `${file.rel}:${line}`, markdown: false, metadata: {}, line };
  }
  let messages = result.messages.map((m) => ({ role: m.role, content: normalizeText(m.content) }));
  if (options.systemPrompt && messages[0]?.role !== "system") messages = [{ role: "system", content: normalizeText(options.systemPrompt) }, ...messages];
  return { kind: "chat", messages, line };
}

function lineProblem(file: SourceFile, line: number, reason: string, detail: string, options: ReadOptions, skip: (e: SkipEntry) => void): void {
  if (options.strict) {
    throw new DataInputError(file.rel, reason, { en: `${detail} (--strict stops at the first bad line; without it the line is skipped and listed in manifest.json).`, ko: `${detail} (--strict는 첫 잘못된 줄에서 멈춥니다. 없으면 그 줄을 건너뛰고 manifest.json에 적습니다).` }, line);
  }
  skip({ source: file.rel, line, reason, message: detail });
}

async function* readJsonl(file: SourceFile, info: ReadInfo, options: ReadOptions, skip: (e: SkipEntry) => void): AsyncGenerator<SourceItem> {
  const lines = readline.createInterface({ input: textStream(file, info), crlfDelay: Infinity });
  let n = 0;
  let any = false;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (!line.trim()) continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      lineProblem(file, n, "invalid-json", `not valid JSON (${(error as Error).message})`, options, skip);
      continue;
    }
    const item = toItem(record, n, file, info, options, skip);
    if (item) {
      any = true;
      yield item;
    }
  }
  if (n === 0) throw emptyError(file.rel);
  if (!any) info.notes.push("no usable record in the file");
}

async function* readJson(file: SourceFile, info: ReadInfo, options: ReadOptions, skip: (e: SkipEntry) => void): AsyncGenerator<SourceItem> {
  const decoded = decodeText(fs.readFileSync(file.path), file.rel);
  info.encoding = decoded.encoding;
  let data: unknown;
  try {
    data = JSON.parse(decoded.text);
  } catch (error) {
    throw new DataInputError(file.rel, "invalid-json", {
      en: `not valid JSON (${(error as Error).message}). A .json file must hold one array of records; use .jsonl for one record per line.`,
      ko: `올바른 JSON이 아닙니다 (${(error as Error).message}). .json 파일은 레코드 배열 하나여야 합니다. 한 줄에 레코드 하나라면 .jsonl을 쓰세요.`,
    });
  }
  const records = jsonRecords(data);
  for (const [i, record] of records.entries()) {
    const item = toItem(record, i + 1, file, info, options, skip);
    if (item) yield item;
  }
}

/** Most broken records read around in one CSV file before the file is refused (each costs one more pass). */
const MAX_CSV_ERRORS = 100;

/**
 * CSV rows as items. A broken record (an unclosed or stray quote) is reported at the line where it starts and parsing
 * goes on from the next line, so good rows before and after it are kept: csv-parse stops at the first error and
 * reports where it noticed it (for an unclosed quote, the end of the file), so each error costs a fresh pass that
 * starts after the bad line. Records are taken as parsed (on_record), not from the stream, because an error destroys
 * the stream with the records of the same chunk still buffered.
 */
async function* readCsv(file: SourceFile, info: ReadInfo, options: ReadOptions, skip: (e: SkipEntry) => void): AsyncGenerator<SourceItem> {
  const mapping = options.csv?.prompt || options.csv?.response ? options.csv : undefined;
  let header: string[] | undefined;
  let from = 0; // physical lines to drop before parsing (the header is line 1 and read on the first pass only)
  let any = false;
  let rows = 0;
  for (let errors = 0; ; errors++) {
    const pending: { record: Record<string, string>; line: number }[] = [];
    let lastLine = from;
    const parser = parseCsv({
      // The header row is line 1, read on the first pass; later passes start after a bad line and reuse it.
      columns: header ?? ((names: string[]) => (header = names)),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: false,
      on_record: (record: Record<string, string>, context: { lines: number }) => {
        pending.push({ record, line: from + context.lines });
        return null;
      },
    });
    let failure: (Error & { code?: string }) | undefined;
    parser.on("error", (error: Error) => (failure ??= error));
    parser.resume();
    const drain = function* (): Generator<SourceItem> {
      for (const { record, line } of pending.splice(0)) {
        lastLine = line;
        rows++;
        const item = toItem(record, line, file, info, options, skip, mapping);
        if (item) {
          any = true;
          yield item;
        }
      }
    };
    for await (const chunk of skipLines(textStream(file, info), from)) {
      parser.write(chunk);
      yield* drain();
      if (failure || parser.errored) break;
    }
    if (!failure && !parser.errored) {
      parser.end();
      await finished(parser).catch((error: Error) => (failure ??= error));
    }
    yield* drain();
    failure ??= (parser.errored as Error | null) ?? undefined;
    if (!failure) break;
    if (failure instanceof DataInputError) throw failure;
    // The bad record starts on the first line after the last good one (blank lines between records aside).
    const badLine = header ? lastLine + 1 : 1;
    const detail = `not valid CSV from this line on (${failure.message.replace(/ at line \d+/, "")}); the record starting here was left out, the rows after it were read`;
    if (!header || options.strict || errors + 1 >= MAX_CSV_ERRORS) {
      throw new DataInputError(file.rel, "invalid-csv", {
        en: `not valid CSV (${failure.message}). The first row must be a header; quote fields that contain commas or newlines, and close every quote.${errors + 1 >= MAX_CSV_ERRORS ? ` (${MAX_CSV_ERRORS} broken records: the file was given up.)` : ""}`,
        ko: `올바른 CSV가 아닙니다 (${failure.message}). 첫 줄은 머리글이어야 하고, 쉼표나 줄바꿈이 든 칸은 따옴표로 감싸고 따옴표를 모두 닫아야 합니다.${errors + 1 >= MAX_CSV_ERRORS ? ` (깨진 레코드 ${MAX_CSV_ERRORS}개: 파일을 포기했습니다.)` : ""}`,
      }, badLine);
    }
    skip({ source: file.rel, line: badLine, reason: "invalid-csv", message: detail });
    from = badLine;
  }
  if (rows === 0 && from === 0) throw emptyError(file.rel);
  if (!any) info.notes.push("no usable record in the file");
}

/** The stream's text with its first `count` lines dropped. */
async function* skipLines(input: Readable, count: number): AsyncGenerator<string> {
  let left = count;
  for await (const chunk of input as AsyncIterable<string>) {
    if (left === 0) {
      yield chunk;
      continue;
    }
    let at = 0;
    while (left > 0) {
      const nl = chunk.indexOf("\n", at);
      if (nl < 0) break;
      at = nl + 1;
      left--;
    }
    if (left === 0 && at < chunk.length) yield chunk.slice(at);
  }
}

/** A top-level array, a wrapper object holding one ({"data": [...]}, {"examples": [...]}), or one record. */
function jsonRecords(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  if (data && typeof data === "object" && !("messages" in data) && !("conversations" in data)) {
    const inner = Object.values(data).find(Array.isArray);
    if (inner) return inner;
  }
  return [data];
}

/** A UTF-8 stream of the file: as it is when it is UTF-8, else decoded whole first (CP949 CSVs from Excel). */
function textStream(file: SourceFile, info: ReadInfo): Readable {
  const head = readHead(file.path);
  if (head.includes(0) && !(head[0] === 0xff && head[1] === 0xfe) && !(head[0] === 0xfe && head[1] === 0xff)) throw binaryError(file.rel);
  if (isUtf8Prefix(head)) {
    info.encoding = "utf-8";
    return Readable.from(strictUtf8(file));
  }
  const decoded = decodeText(fs.readFileSync(file.path), file.rel);
  info.encoding = decoded.encoding;
  return Readable.from([decoded.text]);
}

/**
 * The file as UTF-8 text, streamed; an invalid byte further on (the head looked fine) stops it with the line of the
 * byte, instead of the replacement characters a plain utf8 stream would put in silently.
 */
async function* strictUtf8(file: SourceFile): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  for await (const chunk of fs.createReadStream(file.path) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8Error(file.rel, line + lineAt(chunk, Math.max(0, scanUtf8(chunk).firstInvalid)) - 1, undefined, true);
    }
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) line++;
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw invalidUtf8Error(file.rel, line, undefined, true);
  }
}

/** Valid UTF-8 up to a character cut at the end of the sample. */
function isUtf8Prefix(head: Buffer): boolean {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    decoder.decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, 4096, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}
