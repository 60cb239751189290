// Duplicate decisions of `data prepare`, taken after the streaming pass from what it spilled to disk: exact and
// near-duplicate documents (first one read is kept), the split of every kept document, exact duplicate chunks
// (first one read is kept), then near-duplicate chunks in split order (so the copy kept is the train one). In
// memory: a few bytes per item and per chunk; signatures, keys and ids stay in the work files.
import { createHash } from "node:crypto";
import path from "node:path";
import { NO_DUPLICATE, firstOccurrences } from "./exact-dedup.js";
import type { Removal } from "./manifest.js";
import { minhashSignature, shingleHashes } from "./minhash.js";
import { findNearDuplicates } from "./near-dedup.js";
import { dedupKey } from "./normalize.js";
import { SPLIT_NAMES, type SplitName } from "./schema.js";
import { SignatureStore } from "./signature-store.js";
import { RecordFile } from "./spill.js";
import { splitIndexes, type SplitRatios } from "./split.js";

/** items: exact key (8 bytes), docId (8 bytes), file index (u32), line (u32, 0 = none). */
const ITEM_BYTES = 24;
/** chunks: exact key (8 bytes), item (u32), chunk number within the item (u32). */
const CHUNK_BYTES = 16;
const REMOVED = 255;

export interface DedupProgress {
  step: "documents-exact" | "documents-near" | "chunks-exact" | "chunks-near";
  done: number;
  total: number;
}

/** What the streaming pass records: every item (a document or a conversation) and every chunk, in reading order. */
export class DedupWork {
  readonly items: RecordFile;
  readonly chunks: RecordFile;
  /** Signatures of text documents (tag: item). */
  readonly docs: SignatureStore;
  /** Signatures of chunks, one per chunk, same index (tag: item). */
  readonly chunkTexts: SignatureStore;
  private readonly itemRecord = Buffer.alloc(ITEM_BYTES);
  private readonly chunkRecord = Buffer.alloc(CHUNK_BYTES);
  private chunkNumber = 0;

  constructor(dir: string) {
    this.items = new RecordFile(path.join(dir, "items.bin"), ITEM_BYTES);
    this.chunks = new RecordFile(path.join(dir, "chunks.bin"), CHUNK_BYTES);
    this.docs = new SignatureStore(path.join(dir, "docs"));
    this.chunkTexts = new SignatureStore(path.join(dir, "chunks"));
  }

  /**
   * Records an item: `exactText` is what exact duplicates are judged on (by dedupKey), `idText` gives the docId,
   * `nearText` (text documents only) is compared for near-duplicates. Returns the docId (16 hex digits).
   */
  addItem(exactText: string, idText: string, nearText: string | undefined, fileIndex: number, line: number | undefined): string {
    const r = this.itemRecord;
    sha256(dedupKey(exactText)).copy(r, 0, 0, 8);
    const id = sha256(idText);
    id.copy(r, 8, 0, 8);
    r.writeUInt32LE(fileIndex, 16);
    r.writeUInt32LE(line ?? 0, 20);
    const item = this.items.append(r);
    if (nearText !== undefined) {
      const shingles = shingleHashes(nearText);
      this.docs.add(minhashSignature(shingles), shingles, item);
    }
    this.chunkNumber = 0;
    return id.toString("hex", 0, 8);
  }

  /** Records the next chunk of the last item added: exact duplicates by dedupKey(text), near ones by its shingles. */
  addChunk(text: string): void {
    const item = this.items.size - 1;
    const r = this.chunkRecord;
    sha256(dedupKey(text)).copy(r, 0, 0, 8);
    r.writeUInt32LE(item, 8);
    r.writeUInt32LE(this.chunkNumber++, 12);
    this.chunks.append(r);
    const shingles = shingleHashes(text);
    this.chunkTexts.add(minhashSignature(shingles), shingles, item);
  }

  finish(): void {
    for (const f of [this.items, this.chunks, this.docs, this.chunkTexts]) f.finish();
  }

  close(): void {
    for (const f of [this.items, this.chunks, this.docs, this.chunkTexts]) f.close();
  }
}

export interface DedupSettings {
  threshold: number;
  seed: number;
  ratios: SplitRatios;
  onProgress?: (progress: DedupProgress) => void;
}

export interface DedupResult {
  /** Every removal, in the order a one-pass reader would have found them. */
  removed: Removal[];
  /** Items kept (documents and conversations), which the splits are made of. */
  keptItems: number;
  crossSplit: number;
  /** Chunks written to the splits. */
  keptChunks: number;
  /** Split of chunk i, or undefined when it was removed. */
  splitOfChunk: (i: number) => SplitName | undefined;
}

/** `sources[i]`: the path records cite for file i. */
export function resolveDuplicates(work: DedupWork, sources: readonly string[], settings: DedupSettings): DedupResult {
  work.finish();
  const { items, chunks } = work;
  const progress = (step: DedupProgress["step"]) => (done: number, total: number) => settings.onProgress?.({ step, done, total });
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const sourceOf = (item: number) => {
    const r = items.read(item);
    const file = sources[r.readUInt32LE(16)]!;
    const line = r.readUInt32LE(20);
    return line ? `${file}:${line}` : file;
  };
  const chunkRef = (chunk: number) => {
    const c = chunks.read(chunk);
    const item = c.readUInt32LE(8);
    const n = c.readUInt32LE(12);
    const r = items.read(item);
    return { id: `${r.toString("hex", 8, 16)}#${n}`, source: sources[r.readUInt32LE(16)]! };
  };

  // Documents: exact copies of an earlier one (kept or not), then near copies of an earlier kept one.
  const itemFirst = firstOccurrences(items, 0, () => true, progress("documents-exact"));
  const itemStatus = new Uint8Array(items.size);
  for (let i = 0; i < items.size; i++) if (itemFirst[i] !== NO_DUPLICATE) itemStatus[i] = REMOVED;
  const docItem = work.docs.tags();
  const nearDocs = new Map<number, { of: number; jaccard: number }>();
  findNearDuplicates(work.docs, { threshold: settings.threshold, ranks: 1, rankOf: (d) => (itemStatus[docItem[d]!] ? -1 : 0), onProgress: progress("documents-near") }, (d, near) => {
    nearDocs.set(docItem[d]!, { of: docItem[near.of]!, jaccard: near.jaccard });
    itemStatus[docItem[d]!] = REMOVED;
  });

  // Chunks of kept items: exact copies of an earlier one.
  const chunkItem = new Uint32Array(chunks.size);
  chunks.scan((i, buf, offset) => (chunkItem[i] = buf.readUInt32LE(offset + 8)));
  const chunkFirst = firstOccurrences(chunks, 0, (c) => !itemStatus[chunkItem[c]!], progress("chunks-exact"));

  // The removals so far, in reading order (item by item, a document's chunks in order).
  const removed: Removal[] = [];
  let chunk = 0;
  for (let item = 0; item < items.size; item++) {
    const near = nearDocs.get(item);
    if (itemFirst[item] !== NO_DUPLICATE) removed.push({ level: "document", kind: "exact", source: sourceOf(item), duplicateOf: sourceOf(itemFirst[item]!) });
    else if (near) removed.push({ level: "document", kind: "near", source: sourceOf(item), duplicateOf: sourceOf(near.of), jaccard: round(near.jaccard) });
    for (; chunk < chunks.size && chunkItem[chunk] === item; chunk++) {
      if (itemStatus[item] || chunkFirst[chunk] === NO_DUPLICATE) continue;
      const ref = chunkRef(chunk);
      removed.push({ level: "chunk", kind: "exact", source: ref.source, id: ref.id, duplicateOf: chunkRef(chunkFirst[chunk]!).id });
    }
  }

  // Splits of the kept items, by document id.
  let keptItems = 0;
  for (let i = 0; i < items.size; i++) if (!itemStatus[i]) keptItems++;
  const keptItem = new Uint32Array(keptItems);
  const ids = new Uint32Array(2 * keptItems);
  let k = 0;
  items.scan((i, buf, offset) => {
    if (itemStatus[i]) return;
    keptItem[k] = i;
    ids[2 * k] = buf.readUInt32BE(offset + 8);
    ids[2 * k + 1] = buf.readUInt32BE(offset + 12);
    k++;
  });
  const hex = (j: number) => ids[2 * j]!.toString(16).padStart(8, "0") + ids[2 * j + 1]!.toString(16).padStart(8, "0");
  const keptSplit = splitIndexes(keptItems, hex, settings.ratios, settings.seed);
  const itemSplit = new Uint8Array(items.size).fill(REMOVED);
  keptItem.forEach((item, j) => (itemSplit[item] = keptSplit[j]!));

  // Chunks: near copies of an earlier kept chunk, train first, then val, then test.
  const chunkSplit = new Uint8Array(chunks.size);
  for (let c = 0; c < chunks.size; c++) chunkSplit[c] = chunkFirst[c] === NO_DUPLICATE ? itemSplit[chunkItem[c]!]! : REMOVED;
  let crossSplit = 0;
  findNearDuplicates(work.chunkTexts, { threshold: settings.threshold, ranks: SPLIT_NAMES.length, rankOf: (c) => (chunkSplit[c] === REMOVED ? -1 : chunkSplit[c]!), onProgress: progress("chunks-near") }, (c, dup) => {
    const split = SPLIT_NAMES[chunkSplit[c]!]!;
    const keptIn = SPLIT_NAMES[chunkSplit[dup.of]!]!;
    const cross = keptIn !== split;
    if (cross) crossSplit++;
    const ref = chunkRef(c);
    removed.push({ level: "chunk", kind: cross ? "cross-split" : "near", source: ref.source, id: ref.id, duplicateOf: chunkRef(dup.of).id, jaccard: round(dup.jaccard), split, ...(cross ? { detail: `near-duplicate of a ${keptIn} record; removed from ${split} so it cannot leak` } : {}) });
    // The search has finished with this chunk (it is not indexed), so it can be marked removed right away.
    chunkSplit[c] = REMOVED;
  });
  let keptChunks = 0;
  for (let c = 0; c < chunks.size; c++) if (chunkSplit[c] !== REMOVED) keptChunks++;
  return { removed, keptItems, crossSplit, keptChunks, splitOfChunk: (i) => (chunkSplit[i] === REMOVED ? undefined : SPLIT_NAMES[chunkSplit[i]!]) };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
