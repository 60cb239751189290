// Where GGUF bytes come from: an open file read by ranges (a model is never loaded whole) or a Buffer in memory.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GgufFormatError } from "../../errors.js";

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
    const stat = fstatSync(this.fd);
    if (!stat.isFile()) {
      this.close();
      throw new GgufFormatError(path, "file", { en: "not a regular file (a directory?)", ko: "일반 파일이 아닙니다 (폴더인가요?)" });
    }
    this.size = stat.size;
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
 * Reads `length` bytes at `offset` of an open file into a fresh buffer of its own (never from Node's shared pool), so
 * its byteOffset is 0 and Float32Array / Uint16Array views of it are aligned. Shorter only if the file shrank.
 */
export function readRange(fd: number, offset: number, length: number): Buffer {
  const out = Buffer.allocUnsafeSlow(length);
  return out.subarray(0, readInto(fd, out, offset, length));
}

/** Reads `length` bytes at `offset` of an open file into `target`; returns the bytes read (fewer only at end of file). */
export function readInto(fd: number, target: Uint8Array, offset: number, length: number): number {
  let done = 0;
  while (done < length) {
    // readSync reads at most 2 GiB per call: large tensors take several calls.
    const n = readSync(fd, target, done, Math.min(length - done, 1 << 30), offset + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
