// MinHash signatures (and the shingle sets of short texts) spilled to disk during the streaming pass, so that
// near-duplicate search afterwards keeps only a few bytes per text in memory.
import fs from "node:fs";
import { SyncWriter } from "./io.js";
import { EXACT_CHECK_MAX_SHINGLES, SIGNATURE_SIZE } from "./minhash.js";
import { RecordFile } from "./spill.js";

const SIG_BYTES = SIGNATURE_SIZE * 4;
/** signature, shingle offset (f64, -1 when not kept), shingle count (u32), tag (u32). */
const RECORD_BYTES = SIG_BYTES + 16;

export interface StoredText {
  signature: Uint32Array;
  /** Present for short texts only (at most EXACT_CHECK_MAX_SHINGLES), for the exact Jaccard check. */
  shingles?: Uint32Array;
  /** The caller's number for this text (e.g. the item it came from). */
  tag: number;
}

export class SignatureStore {
  private readonly records: RecordFile;
  private shingleWriter: SyncWriter | undefined;
  private shingleFd: number | undefined;
  private shingleBytes = 0;
  private readonly record = Buffer.alloc(RECORD_BYTES);

  constructor(
    private readonly base: string,
  ) {
    this.records = new RecordFile(`${base}.sig`, RECORD_BYTES);
    this.shingleWriter = new SyncWriter(`${base}.shingles`);
  }

  get size(): number {
    return this.records.size;
  }

  /** Stores a signature; `shingles` are kept when short enough for the exact check. Returns the text's index. */
  add(signature: Uint32Array, shingles: Uint32Array, tag: number): number {
    const r = this.record;
    Buffer.from(signature.buffer, signature.byteOffset, SIG_BYTES).copy(r, 0);
    if (shingles.length <= EXACT_CHECK_MAX_SHINGLES) {
      r.writeDoubleLE(this.shingleBytes, SIG_BYTES);
      r.writeUInt32LE(shingles.length, SIG_BYTES + 8);
      this.shingleWriter!.write(Buffer.from(shingles.buffer, shingles.byteOffset, shingles.byteLength));
      this.shingleBytes += shingles.byteLength;
    } else {
      r.writeDoubleLE(-1, SIG_BYTES);
      r.writeUInt32LE(0, SIG_BYTES + 8);
    }
    r.writeUInt32LE(tag, SIG_BYTES + 12);
    return this.records.append(r);
  }

  finish(): void {
    this.records.finish();
    this.shingleWriter?.close();
    this.shingleWriter = undefined;
    this.shingleFd ??= fs.openSync(`${this.base}.shingles`, "r");
  }

  /** Text i, read from disk (fresh arrays the caller may keep). */
  get(i: number): StoredText {
    return this.decode(this.records.read(i), 0);
  }

  /** Every text in order with its tag and signature (no shingles), reading a few MB at a time. */
  scan(visit: (i: number, tag: number, signature: Uint32Array) => void): void {
    const signature = new Uint32Array(SIGNATURE_SIZE);
    const bytes = new Uint8Array(signature.buffer);
    this.records.scan((i, buf, offset) => {
      bytes.set(buf.subarray(offset, offset + SIG_BYTES));
      visit(i, buf.readUInt32LE(offset + SIG_BYTES + 12), signature);
    });
  }

  /** Tag of every text, in order. */
  tags(): Uint32Array {
    const out = new Uint32Array(this.size);
    this.records.scan((i, buf, offset) => (out[i] = buf.readUInt32LE(offset + SIG_BYTES + 12)));
    return out;
  }

  close(): void {
    this.records.close();
    this.shingleWriter?.close();
    this.shingleWriter = undefined;
    if (this.shingleFd !== undefined) fs.closeSync(this.shingleFd);
    this.shingleFd = undefined;
  }

  private decode(buf: Buffer, offset: number): StoredText {
    // Signatures and shingles are stored in host byte order: the files live only for one run on one machine.
    const signature = new Uint32Array(SIGNATURE_SIZE);
    new Uint8Array(signature.buffer).set(buf.subarray(offset, offset + SIG_BYTES));
    const at = buf.readDoubleLE(offset + SIG_BYTES);
    const count = buf.readUInt32LE(offset + SIG_BYTES + 8);
    const tag = buf.readUInt32LE(offset + SIG_BYTES + 12);
    if (at < 0) return { signature, tag };
    const shingles = new Uint32Array(count);
    if (count > 0) fs.readSync(this.shingleFd!, new Uint8Array(shingles.buffer), 0, count * 4, at);
    return { signature, shingles, tag };
  }
}
