// Fixed-size binary records spilled to a work file: appended during the streaming pass, then read back one by one
// (random access) or in order through a bounded buffer, so per-record data never has to stay in memory.
import fs from "node:fs";

/** Bytes read at a time by `scan`. */
const SCAN_BYTES = 1 << 22;
/** Bytes gathered before a write. */
const WRITE_BYTES = 1 << 20;

export class RecordFile {
  private writeFd: number | undefined;
  private fd: number | undefined;
  private count = 0;
  private readonly one: Buffer;
  private readonly pending: Buffer;
  private pendingBytes = 0;

  constructor(
    readonly file: string,
    readonly recordBytes: number,
  ) {
    this.writeFd = fs.openSync(file, "w");
    this.one = Buffer.alloc(recordBytes);
    this.pending = Buffer.alloc(Math.max(1, Math.floor(WRITE_BYTES / recordBytes)) * recordBytes);
  }

  get size(): number {
    return this.count;
  }

  /** Appends a copy of one record (exactly recordBytes long); returns its index. */
  append(record: Buffer): number {
    if (this.writeFd === undefined) throw new Error(`${this.file} is closed for writing`);
    if (record.length !== this.recordBytes) throw new Error(`record of ${record.length} bytes, expected ${this.recordBytes}`);
    record.copy(this.pending, this.pendingBytes);
    this.pendingBytes += this.recordBytes;
    if (this.pendingBytes === this.pending.length) this.flush();
    return this.count++;
  }

  /** Ends writing; records can be read from now on. */
  finish(): void {
    this.endWriting();
    this.fd ??= fs.openSync(this.file, "r");
  }

  /** Record i, in a buffer that the next call reuses. */
  read(i: number): Buffer {
    fs.readSync(this.readFd(), this.one, 0, this.recordBytes, i * this.recordBytes);
    return this.one;
  }

  /** Calls visit(i, buffer, offset) for every record in order, reading a few MB at a time. */
  scan(visit: (i: number, buf: Buffer, offset: number) => void): void {
    const per = Math.max(1, Math.floor(SCAN_BYTES / this.recordBytes));
    const buf = Buffer.alloc(per * this.recordBytes);
    const fd = this.readFd();
    for (let start = 0; start < this.count; start += per) {
      const n = Math.min(per, this.count - start);
      fs.readSync(fd, buf, 0, n * this.recordBytes, start * this.recordBytes);
      for (let k = 0; k < n; k++) visit(start + k, buf, k * this.recordBytes);
    }
  }

  close(): void {
    this.endWriting();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.pendingBytes > 0) fs.writeSync(this.writeFd!, this.pending, 0, this.pendingBytes);
    this.pendingBytes = 0;
  }

  private endWriting(): void {
    if (this.writeFd === undefined) return;
    this.flush();
    fs.closeSync(this.writeFd);
    this.writeFd = undefined;
  }

  private readFd(): number {
    if (this.fd === undefined) throw new Error(`${this.file} is still being written`);
    return this.fd;
  }
}
