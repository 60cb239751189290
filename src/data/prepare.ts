// `data prepare`: read every input, normalise, deduplicate (exact and MinHash near-duplicates, at document and chunk
// level), chunk by structure and tokens, split by document, and write the dataset folder. Two passes over the data:
// pass 1 streams documents into a work file and spills keys and MinHash signatures to disk; the duplicate decisions
// are then taken from those files (dedup.ts), keeping a few bytes per chunk in memory; pass 2 streams the work file
// into the splits and the tokenized cache.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import type { ChatWrapper, LlamaModel } from "node-llama-cpp";
import { DataInputError, InvalidConfigError } from "../errors.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { removeDeadProcessFiles } from "../fs/process-files.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { TokenCacheWriter } from "./cache.js";
import { chatWrapperFor, renderChat, type ChatTemplateName } from "./chat-render.js";
import { chunkDocument } from "./chunk.js";
import { DedupWork, resolveDuplicates, type DedupProgress } from "./dedup.js";
import { discoverInputs, unreadableSkip } from "./discover.js";
import { buildGuidance } from "./guidance.js";
import { detectLang } from "./lang.js";
import { SyncWriter, writeFileAtomic } from "./io.js";
import { type DatasetStats, type Manifest, type Removal, type SourceEntry, type SplitStats } from "./manifest.js";
import { resolvePrepareOptions, type PrepareOptions } from "./options.js";
import { newReadInfo, readSource } from "./readers/index.js";
import { DATASET_FORMAT_VERSION, SPLIT_NAMES, type DatasetRecord, type SplitName } from "./schema.js";
import { estimateCounter, modelCounter, tokenizerKey, tokenizeText, type TokenCounter } from "./tokenizer.js";
import type { ChatSample, SkipEntry, SourceFile, TextDocument } from "./types.js";

export interface PrepareProgress {
  phase: "read" | "dedup" | "write";
  done: number;
  total: number;
  /** Unit of done/total: bytes of input in the read phase, records (documents or chunks) otherwise. */
  unit: "bytes" | "records";
  file?: string;
  /** Dedup phase: which check is running (documents or chunks, exact or near). */
  step?: DedupProgress["step"];
  /** Dedup phase: seconds since the phase began. */
  seconds?: number;
}

export interface PrepareHooks {
  onProgress?: (progress: PrepareProgress) => void;
  /** An already loaded model (tests, the server); else `model` in the options is loaded. */
  model?: LlamaModel;
}

export interface PrepareResult {
  outDir: string;
  /** Temporary folders of earlier runs that were killed, removed at this start. */
  leftovers: string[];
  manifest: Manifest;
  stats: DatasetStats;
}

/** Histogram bucket edges in tokens (powers of two). */
export const LENGTH_BUCKETS = [0, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export async function prepareDataset(options: PrepareOptions, hooks: PrepareHooks = {}): Promise<PrepareResult> {
  const settings = resolvePrepareOptions(options);
  const outDir = path.resolve(settings.out);
  // Before anything is touched: --out is replaced whole (with --force), so it must not be, hold, or lie in an input.
  assertOutputIsNotInput({ path: outDir, kind: "folder" }, [...settings.inputs, settings.model]);
  // Leftovers of a run that was killed: its temporary folder and a replaced folder it had moved aside.
  const leftovers = removeDeadProcessFiles(path.dirname(outDir), new RegExp(`^${escapeRegExp(path.basename(outDir))}\\.(?:tmp|old)-(\\d+)$`));
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !settings.force) {
    throw new InvalidConfigError({
      en: `${outDir} already exists and is not empty. Choose another --out, or pass --force to replace it.`,
      ko: `${outDir}이(가) 이미 있고 비어 있지 않습니다. 다른 --out을 고르거나 --force로 바꾸세요.`,
    });
  }
  const { files, skipped } = discoverInputs(settings.inputs, { include: settings.include, exclude: settings.exclude });
  if (files.length === 0) {
    throw new DataInputError(settings.inputs.join(", "), "no-input", {
      en: `no readable input file (${skipped.length} skipped: ${summarizeSkips(skipped)}). Supported: .txt .md .html .pdf .docx .jsonl .json .csv.`,
      ko: `읽을 수 있는 입력 파일이 없습니다 (${skipped.length}개 건너뜀: ${summarizeSkips(skipped)}). 지원 형식: .txt .md .html .pdf .docx .jsonl .json .csv.`,
    });
  }

  const model = hooks.model ?? (settings.model ? await loadLlamaModel(settings.model) : undefined);
  const counter: TokenCounter = model ? modelCounter(model, path.basename(settings.model ?? model.filename ?? "model")) : estimateCounter;
  const wrapper: ChatWrapper | undefined = model ? chatWrapperFor(model, settings.chatTemplate as ChatTemplateName) : undefined;

  const tmpDir = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmpDir, ".work"), { recursive: true });
  let dedupWork: DedupWork | undefined;
  try {
    // ---- pass 1: read, normalise, chunk; records go to a work file, keys and signatures to the dedup files ------
    const work = new SyncWriter(path.join(tmpDir, ".work", "records.jsonl"));
    dedupWork = new DedupWork(path.join(tmpDir, ".work"));
    const dedup = dedupWork;
    const sources: SourceEntry[] = [];
    const totalBytes = files.reduce((n, f) => n + f.size, 0);
    let doneBytes = 0;
    const skip = (entry: SkipEntry) => skipped.push(entry);

    const addText = (doc: TextDocument, file: SourceFile, fileIndex: number) => {
      const docId = dedup.addItem(doc.text, doc.text, doc.text, fileIndex, doc.line);
      const metadata = scalarMetadata(doc.metadata, doc.line);
      chunkDocument(doc.text, doc.markdown, doc.title, counter, settings).forEach((chunk, i) => {
        const record: DatasetRecord = {
          kind: "text",
          id: `${docId}#${i}`,
          docId,
          source: file.rel,
          headingPath: chunk.headingPath,
          citation: chunk.citation,
          lang: detectLang(chunk.text),
          text: chunk.text,
          tokens: chunk.tokens,
          ...(metadata ? { metadata } : {}),
        };
        dedup.addChunk(chunk.text);
        work.write(JSON.stringify(record) + "\n");
      });
    };

    const addChat = (sample: ChatSample, file: SourceFile, fileIndex: number) => {
      const joined = sample.messages.map((m) => m.content).join("\n");
      // A conversation is its own document for splitting; its near-duplicates are found with the chunks, where
      // the split is known, so that the copy kept is the one in train.
      const docId = dedup.addItem(sample.messages.map((m) => `${m.role}:${m.content}`).join("\n"), JSON.stringify(sample.messages), undefined, fileIndex, sample.line);
      const record: DatasetRecord = { kind: "chat", id: `${docId}#0`, docId, source: file.rel, lang: detectLang(joined), messages: sample.messages, ...(sample.line ? { metadata: { line: sample.line } } : {}) };
      dedup.addChunk(joined);
      work.write(JSON.stringify(record) + "\n");
    };

    for (const [fileIndex, file] of files.entries()) {
      const info = newReadInfo(file.ext || "txt");
      let documents = 0;
      let chatSamples = 0;
      let sha256: string | undefined;
      try {
        for await (const item of readSource(file, info, { strict: settings.strict, systemPrompt: settings.systemPrompt, csv: { prompt: settings.csvPromptColumn, response: settings.csvResponseColumn, system: settings.csvSystemColumn } }, skip)) {
          if (item.kind === "text") {
            documents++;
            addText(item, file, fileIndex);
          } else {
            chatSamples++;
            addChat(item, file, fileIndex);
          }
        }
        sha256 = fileSha256(file.path);
      } catch (caught) {
        // A file that became unreadable after discovery (permissions, a disk error) is listed like one found so.
        const error = fsErrorCode(caught) ? unreadableError(unreadableSkip(file.rel, caught)) : caught;
        if (!(error instanceof DataInputError) || settings.strict) throw error;
        skipped.push({ source: file.rel, reason: error.reason, message: error.message, ...(error.line !== undefined ? { line: error.line } : {}) });
        // Records read before the problem (the good lines of a JSONL or CSV file) stay, so the file is listed too.
        if (documents + chatSamples === 0) {
          doneBytes += file.size;
          continue;
        }
        info.notes.push("read only in part: see skipped");
        try {
          sha256 = fileSha256(file.path);
        } catch {
          sha256 = "";
        }
      }
      sources.push({
        path: file.rel,
        sha256: sha256 ?? "",
        bytes: file.size,
        format: info.format,
        ...(info.encoding ? { encoding: info.encoding } : {}),
        documents,
        chatSamples,
        shapes: [...info.shapes],
        unusedFields: [...info.unusedFields],
        ...(info.frontMatter ? { frontMatter: info.frontMatter } : {}),
        notes: info.notes,
      });
      doneBytes += file.size;
      hooks.onProgress?.({ phase: "read", done: doneBytes, total: totalBytes, unit: "bytes", file: file.rel });
    }
    work.close();

    // ---- duplicates (documents, then chunks in split order) and the split of every document ------------------------
    const started = performance.now();
    const decided = resolveDuplicates(dedup, files.map((f) => f.rel), {
      threshold: settings.nearDupThreshold,
      seed: settings.seed,
      ratios: { val: settings.valRatio, test: settings.testRatio },
      onProgress: (p) => hooks.onProgress?.({ phase: "dedup", step: p.step, done: p.done, total: p.total, unit: "records", seconds: (performance.now() - started) / 1000 }),
    });
    dedup.close();
    const { removed, crossSplit } = decided;

    // ---- pass 2: write splits and the tokenized cache ------------------------------------------------------------
    const writers = Object.fromEntries(SPLIT_NAMES.map((s) => [s, new SyncWriter(path.join(tmpDir, `${s}.jsonl`))])) as Record<SplitName, SyncWriter>;
    const key = model ? tokenizerKey(model) : undefined;
    const cacheDir = key ? path.join(tmpDir, "cache", key) : undefined;
    const caches = cacheDir ? (Object.fromEntries(SPLIT_NAMES.map((s) => [s, new TokenCacheWriter(cacheDir, s)])) as Record<SplitName, TokenCacheWriter>) : undefined;
    const splitStats = Object.fromEntries(SPLIT_NAMES.map((s) => [s, emptySplitStats(!!model)])) as Record<SplitName, SplitStats>;
    // A document's records are consecutive in the work file, so counting changes of docId counts documents.
    const lastDoc = Object.fromEntries(SPLIT_NAMES.map((s) => [s, ""])) as Record<SplitName, string>;
    const languages: Record<string, number> = {};
    const histogram = LENGTH_BUCKETS.map((min, i) => ({ min, max: LENGTH_BUCKETS[i + 1] ?? null, count: 0 }));
    let templateFailures = 0;
    let line = 0;
    let written = 0;
    const lines = readline.createInterface({ input: fs.createReadStream(path.join(tmpDir, ".work", "records.jsonl"), { encoding: "utf8" }), crlfDelay: Infinity });
    for await (const text of lines) {
      const split = decided.splitOfChunk(line++);
      if (!split) continue;
      const record = JSON.parse(text) as DatasetRecord;
      const st = splitStats[split];
      let tokens: number;
      if (record.kind === "chat") {
        if (model && wrapper) {
          const rendered = renderChat(model, wrapper, record.messages);
          if (typeof rendered === "string") {
            templateFailures++;
            const at = record.metadata?.line ? `${record.source}:${String(record.metadata.line)}` : record.source;
            removed.push({ level: "chunk", kind: "template", source: at, id: record.id, split, detail: rendered });
            continue;
          }
          tokens = rendered.tokens.length;
          caches![split].append(record.id, rendered.tokens, rendered.mask);
          st.trainableTokens = (st.trainableTokens ?? 0) + rendered.mask.reduce((a, b) => a + b, 0);
        } else tokens = record.messages.reduce((n, m) => n + counter.count(m.content), 0);
        writers[split].write(JSON.stringify({ ...record, tokens }) + "\n");
        st.chatRecords++;
        st.chatTokens += tokens;
      } else {
        tokens = record.tokens ?? counter.count(record.text);
        if (model && caches) {
          // DAPT stream: each chunk is one sequence, BOS first when the model expects it; BOS is never a target.
          const ids = tokenizeText(model, record.text);
          const bos = model.tokens.bos != null && model.tokens.shouldPrependBosToken ? [model.tokens.bos] : [];
          const mask = new Uint8Array(bos.length + ids.length).fill(1);
          if (bos.length) mask[0] = 0;
          caches[split].append(record.id, [...bos, ...ids], mask);
          st.trainableTokens = (st.trainableTokens ?? 0) + ids.length;
        }
        writers[split].write(JSON.stringify(record) + "\n");
        st.textRecords++;
        st.textTokens += tokens;
      }
      st.records++;
      st.tokens += tokens;
      if (lastDoc[split] !== record.docId) st.documents++;
      lastDoc[split] = record.docId;
      languages[record.lang] = (languages[record.lang] ?? 0) + 1;
      const bucket = histogram.findLast((b) => tokens >= b.min);
      if (bucket) bucket.count++;
      if (++written % 1000 === 0) hooks.onProgress?.({ phase: "write", done: written, total: decided.keptChunks, unit: "records" });
    }
    for (const s of SPLIT_NAMES) {
      writers[s].close();
      caches?.[s].close();
    }
    hooks.onProgress?.({ phase: "write", done: decided.keptChunks, total: decided.keptChunks, unit: "records" });
    fs.rmSync(path.join(tmpDir, ".work"), { recursive: true, force: true });

    const count = (level: Removal["level"], kind: Removal["kind"]) => removed.filter((r) => r.level === level && r.kind === kind).length;
    const statsBase: DatasetStats = {
      formatVersion: DATASET_FORMAT_VERSION,
      tokenizer: { kind: counter.kind, description: counter.description },
      splits: splitStats,
      sources: { read: sources.length, skipped: skipped.length, bytes: totalBytes },
      documents: { kept: decided.keptItems, exactDuplicates: count("document", "exact"), nearDuplicates: count("document", "near") },
      chunks: { exactDuplicates: count("chunk", "exact"), nearDuplicates: count("chunk", "near"), crossSplit, templateFailures },
      languages,
      lengthHistogram: histogram,
      nearDupThreshold: settings.nearDupThreshold,
      guidance: [],
    };
    const stats: DatasetStats = { ...statsBase, guidance: buildGuidance(statsBase) };
    const files_: Record<string, string> = { train: "train.jsonl", val: "val.jsonl", test: "test.jsonl", stats: "stats.json" };
    if (cacheDir) files_.cache = path.relative(tmpDir, cacheDir);
    const manifest: Manifest = {
      formatVersion: DATASET_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      settings: { ...settings, inputs: settings.inputs.map((p) => path.resolve(p)), out: outDir },
      tokenizer: { kind: counter.kind, description: counter.description, ...(key ? { key } : {}), ...(wrapper ? { chatTemplate: wrapper.wrapperName } : {}) },
      sources,
      skipped,
      removed,
      counts: Object.fromEntries(SPLIT_NAMES.map((s) => [s, splitStats[s].records])),
      files: files_,
    };
    if (cacheDir) {
      writeFileAtomic(path.join(cacheDir, "tokenizer.json"), JSON.stringify({ key, description: counter.description, chatTemplate: wrapper?.wrapperName, bos: model?.tokens.bos, eos: model?.tokens.eos, tokenBytes: 4, endianness: "little", mask: "1 = token is a training target" }, null, 2) + "\n");
    }
    writeFileAtomic(path.join(tmpDir, "stats.json"), JSON.stringify(stats, null, 2) + "\n");
    writeFileAtomic(path.join(tmpDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    // Swap the finished folder in; an old one is moved aside first so that a failure never leaves a half folder.
    if (fs.existsSync(outDir)) {
      const old = `${outDir}.old-${process.pid}`;
      fs.renameSync(outDir, old);
      fs.renameSync(tmpDir, outDir);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(tmpDir, outDir);
    return { outDir, leftovers, manifest, stats };
  } catch (error) {
    // Work files are closed before the folder goes (Windows does not remove open files).
    dedupWork?.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw error;
  } finally {
    if (!hooks.model && model) await model.dispose();
  }
}

/** The errno code of a file-system error (ENOENT, EACCES...), else undefined. */
function fsErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code) ? code : undefined;
}

function unreadableError(skip: SkipEntry): DataInputError {
  return new DataInputError(skip.source, "unreadable", { en: `cannot be read: ${skip.message}`, ko: `읽을 수 없습니다: ${skip.message}` });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function emptySplitStats(withCache: boolean): SplitStats {
  return { records: 0, textRecords: 0, chatRecords: 0, documents: 0, tokens: 0, textTokens: 0, chatTokens: 0, ...(withCache ? { trainableTokens: 0 } : {}) };
}

function fileSha256(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/** Scalar front-matter fields go on every record (RAG filters on them); the full front matter stays in the manifest. */
function scalarMetadata(meta: Record<string, unknown>, line?: number): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) out[k] = v;
    else if (v instanceof Date) out[k] = v.toISOString().slice(0, 10);
  }
  if (line) out.line = line;
  return Object.keys(out).length ? out : undefined;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function summarizeSkips(skipped: SkipEntry[]): string {
  const by = new Map<string, number>();
  for (const s of skipped) by.set(s.reason, (by.get(s.reason) ?? 0) + 1);
  return [...by].map(([r, n]) => `${r} ${n}`).join(", ") || "none";
}
