// A little-endian cursor over a ByteSource that never reads past the end: every read first checks the bytes left,
// so a truncated or lying file becomes a GgufFormatError naming the field, never a RangeError or a huge allocation.
import { constants } from "node:buffer";
import { GgufFormatError } from "../../errors.js";
import type { ByteSource } from "./source.js";

/** Bytes fetched from a file at a time while parsing the header (vocabularies are a few MB of small strings). */
const WINDOW_BYTES = 1 << 20;

/** ggml refuses longer strings (GGUF_MAX_STRING_LENGTH in gguf.cpp); V8's own limit (MAX_STRING_LENGTH) is lower. */
export const GGUF_MAX_STRING_BYTES = 1024 * 1024 * 1024;
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

export class Cursor {
  /** Absolute offset of the next byte to read. */
  pos = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly source: ByteSource,
    /** The file name shown in errors. */
    readonly file: string,
  ) {}

  get size(): number {
    return this.source.size;
  }

  /** Bytes between the cursor and the end of the file. */
  get remaining(): number {
    return this.source.size - this.pos;
  }

  /** Throws the named error for `field`. */
  fail(field: string, en: string, ko: string): never {
    throw new GgufFormatError(this.file, field, { en, ko });
  }

  /** Makes bytes [pos, pos + n) addressable in the window; returns their index in it. */
  private take(n: number, field: string): number {
    if (n > this.remaining) {
      this.fail(
        field,
        `file truncated: needs ${n} more bytes at offset ${this.pos} but the file ends at ${this.size}`,
        `파일이 잘렸습니다: 오프셋 ${this.pos}에서 ${n}바이트가 더 필요하지만 파일은 ${this.size}에서 끝납니다`,
      );
    }
    const end = this.windowStart + this.window.length;
    if (this.pos < this.windowStart || this.pos + n > end) {
      const length = Math.min(Math.max(n, WINDOW_BYTES), this.remaining);
      this.window = this.source.read(this.pos, length);
      this.windowStart = this.pos;
      if (this.window.length < n) {
        this.fail(field, `the file shrank while it was read (at offset ${this.pos})`, `읽는 도중 파일이 줄어들었습니다 (오프셋 ${this.pos})`);
      }
    }
    const at = this.pos - this.windowStart;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    const at = this.take(1, field);
    return this.window[at]!;
  }
  i8(field: string): number {
    const at = this.take(1, field);
    return this.window.readInt8(at);
  }
  u16(field: string): number {
    const at = this.take(2, field);
    return this.window.readUInt16LE(at);
  }
  i16(field: string): number {
    const at = this.take(2, field);
    return this.window.readInt16LE(at);
  }
  u32(field: string): number {
    const at = this.take(4, field);
    return this.window.readUInt32LE(at);
  }
  i32(field: string): number {
    const at = this.take(4, field);
    return this.window.readInt32LE(at);
  }
  u64(field: string): bigint {
    const at = this.take(8, field);
    return this.window.readBigUInt64LE(at);
  }
  i64(field: string): bigint {
    const at = this.take(8, field);
    return this.window.readBigInt64LE(at);
  }
  /**
   * A u64 as a number, without a BigInt per read (strings and arrays read one per item): exact up to 2^53, and any
   * larger value comes back as a number above Number.MAX_SAFE_INTEGER, which every caller rejects as too large.
   */
  u64Number(field: string): number {
    const at = this.take(8, field);
    return this.window.readUInt32LE(at) + this.window.readUInt32LE(at + 4) * 2 ** 32;
  }
  f32(field: string): number {
    const at = this.take(4, field);
    return this.window.readFloatLE(at);
  }
  f64(field: string): number {
    const at = this.take(8, field);
    return this.window.readDoubleLE(at);
  }

  /** A copy of the next `n` bytes (n already checked against the bytes left by the caller or by take). */
  bytes(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    const out = new Uint8Array(n);
    out.set(this.window.subarray(at, at + n));
    return out;
  }

  /** A GGUF string: u64 byte length, then UTF-8 bytes (invalid sequences decode to U+FFFD, as Node's decoder does). */
  string(field: string): string {
    const n = this.u64Number(`${field} length`);
    if (n > this.remaining) {
      // The length bytes are still in the window: re-read them as a BigInt only to print the exact value.
      const exact = this.window.readBigUInt64LE(this.pos - 8 - this.windowStart);
      this.fail(
        field,
        `string length ${exact} exceeds the ${this.remaining} bytes left in the file`,
        `문자열 길이 ${exact}이(가) 파일에 남은 ${this.remaining}바이트보다 큽니다`,
      );
    }
    if (n > GGUF_MAX_STRING_BYTES || n > MAX_STRING_LENGTH) {
      this.fail(field, `string length ${n} exceeds the limit of ${Math.min(GGUF_MAX_STRING_BYTES, MAX_STRING_LENGTH)} bytes`, `문자열 길이 ${n}이(가) 한도 ${Math.min(GGUF_MAX_STRING_BYTES, MAX_STRING_LENGTH)}바이트를 넘습니다`);
    }
    const at = this.take(n, field);
    return this.window.toString("utf8", at, at + n);
  }

  /** Moves to an absolute offset at or before the end of the file. */
  seek(pos: number, field: string): void {
    if (pos > this.size) {
      this.fail(field, `offset ${pos} is past the end of the file (${this.size} bytes)`, `오프셋 ${pos}이(가) 파일 끝(${this.size}바이트)을 넘습니다`);
    }
    this.pos = pos;
  }
}
