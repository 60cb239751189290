// The tokenized cache: per split, the token ids (uint32 little-endian), the loss mask (uint8, 1 = token is a
// training target) and an index (one JSON line per record: id, offset, length), under cache/<tokenizer key>/.
import fs from "node:fs";
import path from "node:path";
import { SyncWriter } from "./io.js";
import type { SplitName } from "./schema.js";

export interface CacheIndexEntry {
  id: string;
  /** Offset of the record's first token, in tokens. */
  offset: number;
  length: number;
}

/** Appends the records of one split (the whole dataset folder is renamed into place at the end). */
export class TokenCacheWriter {
  private offset = 0;
  private readonly tokens: SyncWriter;
  private readonly mask: SyncWriter;
  private readonly index: SyncWriter;

  constructor(dir: string, split: SplitName) {
    fs.mkdirSync(dir, { recursive: true });
    this.tokens = new SyncWriter(path.join(dir, `${split}.tokens.u32`));
    this.mask = new SyncWriter(path.join(dir, `${split}.mask.u8`));
    this.index = new SyncWriter(path.join(dir, `${split}.index.jsonl`));
  }

  get totalTokens(): number {
    return this.offset;
  }

  append(id: string, tokens: readonly number[], mask: Uint8Array): void {
    const ids = Uint32Array.from(tokens);
    // Uint32Array is host-endian; every platform node-llama-cpp ships for is little-endian, which the format states.
    this.tokens.write(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
    this.mask.write(Buffer.from(mask.buffer, mask.byteOffset, mask.byteLength));
    this.index.write(JSON.stringify({ id, offset: this.offset, length: tokens.length } satisfies CacheIndexEntry) + "\n");
    this.offset += tokens.length;
  }

  close(): void {
    for (const writer of [this.tokens, this.mask, this.index]) writer.close();
  }
}

export interface CachedSplit {
  tokens: Uint32Array;
  mask: Uint8Array;
  index: CacheIndexEntry[];
}

/** Reads one split of a tokenized cache folder into memory (for training and tests). */
export function readTokenCache(dir: string, split: SplitName): CachedSplit {
  const raw = fs.readFileSync(path.join(dir, `${split}.tokens.u32`));
  const tokens = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const mask = new Uint8Array(fs.readFileSync(path.join(dir, `${split}.mask.u8`)));
  const index = fs
    .readFileSync(path.join(dir, `${split}.index.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CacheIndexEntry);
  return { tokens, mask, index };
}
