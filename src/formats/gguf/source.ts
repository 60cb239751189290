// Where GGUF bytes come from: an open file read by ranges (a model is never loaded whole) or a Buffer in memory.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Random access to the bytes of one GGUF file. */
export interface ByteSource {
  /** Size in bytes when the source was opened. */
  readonly size: number;
  /** Bytes [offset, offset + length); the caller keeps the range inside `size`. */
  read(offset: number, length: number): Buffer;
  /** Releases the file descriptor, if any. */
  close(): void;
}

/** A Buffer in memory: reads are zero-copy views of it. */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }
  read(offset: number, length: number): Buffer {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + offset, length);
  }
  close(): void {}
}

/** An open file: each read is a positioned `readSync` into a fresh buffer. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  constructor(path: string) {
    this.fd = openSync(path, "r");
    try {
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      this.close();
      throw e;
    }
  }
  read(offset: number, length: number): Buffer {
    if (this.fd === undefined) throw new Error("FileSource used after close()");
    return readRange(this.fd, offset, length);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Reads exactly `length` bytes at `offset` of an open file. The buffer is allocated on its own (never from Node's
 * shared pool), so its byteOffset is 0 and Float32Array / Uint16Array views of it are always aligned.
 * Returns fewer bytes only if the file shrank since it was opened.
 */
export function readRange(fd: number, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, offset + done);
    if (n === 0) return out.subarray(0, done);
    done += n;
  }
  return out;
}
