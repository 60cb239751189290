// The reader against GGUF files assembled byte by byte from the layout in ggml/include/gguf.h (not by our writer),
// and every validation rule with a file that breaks exactly that rule.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileNotFoundError, GgufFormatError } from "../../errors.js";
import { parseGguf, readGguf } from "./reader.js";

/** Little-endian byte builder for hand-made GGUF files. */
class Bytes {
  private parts: Buffer[] = [];
  get length(): number {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  private put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }
  u8 = (v: number) => this.put(1, (b) => b.writeUInt8(v));
  i8 = (v: number) => this.put(1, (b) => b.writeInt8(v));
  u16 = (v: number) => this.put(2, (b) => b.writeUInt16LE(v));
  i16 = (v: number) => this.put(2, (b) => b.writeInt16LE(v));
  u32 = (v: number) => this.put(4, (b) => b.writeUInt32LE(v));
  i32 = (v: number) => this.put(4, (b) => b.writeInt32LE(v));
  u64 = (v: bigint | number) => this.put(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  i64 = (v: bigint | number) => this.put(8, (b) => b.writeBigInt64LE(BigInt(v)));
  f32 = (v: number) => this.put(4, (b) => b.writeFloatLE(v));
  f64 = (v: number) => this.put(8, (b) => b.writeDoubleLE(v));
  raw = (v: Uint8Array | string) => {
    this.parts.push(Buffer.from(v));
    return this;
  };
  str = (s: string) => this.u64(Buffer.byteLength(s)).raw(s);
  pad = (align: number) => this.raw(Buffer.alloc((align - (this.length % align)) % align));
  build = () => new Uint8Array(Buffer.concat(this.parts));
}

// GGUF value type ids (gguf.h): uint8 0, int8 1, uint16 2, int16 3, uint32 4, int32 5, float32 6, bool 7, string 8,
// array 9, uint64 10, int64 11, float64 12. ggml types: F32 0, Q8_0 8.
interface Tensor { name: string; ne: (number | bigint)[]; type: number; offset: number | bigint; nDims?: number }
interface Spec {
  magic?: string;
  version?: number;
  nTensors?: bigint;
  nKv?: bigint;
  kv?: ((b: Bytes) => void)[];
  tensors?: Tensor[];
  dataBytes?: number;
  /** Padding before the data section (ggml pads only when there are tensors). */
  align?: number;
}

const T0: Tensor = { name: "t0", ne: [4, 2], type: 0, offset: 0 }; // 8 F32 = 32 bytes
const T1: Tensor = { name: "t1", ne: [32], type: 8, offset: 32 }; // one Q8_0 block = 34 bytes

/** A small valid file (2 key-value pairs, t0 and t1) unless `spec` changes one part. */
function file(spec: Spec = {}): Uint8Array {
  const kv = spec.kv ?? [(b) => b.str("general.architecture").i32(8).str("llama"), (b) => b.str("n").i32(4).u32(7)];
  const tensors = spec.tensors ?? [T0, T1];
  const b = new Bytes().raw(spec.magic ?? "GGUF").u32(spec.version ?? 3);
  b.i64(spec.nTensors ?? BigInt(tensors.length)).i64(spec.nKv ?? BigInt(kv.length));
  for (const write of kv) write(b);
  for (const t of tensors) {
    b.str(t.name).u32(t.nDims ?? t.ne.length);
    for (const d of t.ne) b.i64(d);
    b.i32(t.type).u64(t.offset);
  }
  if (tensors.length > 0) b.pad(spec.align ?? 32);
  const data = Buffer.alloc(spec.dataBytes ?? 66);
  for (let i = 0; i < data.length; i++) data[i] = i;
  return b.raw(data).build();
}

/** Expects parsing to throw a GgufFormatError whose field matches `field`. */
function rejects(bytes: Uint8Array, field: RegExp, detail?: RegExp): GgufFormatError {
  let err: unknown;
  try {
    parseGguf(bytes, "x.gguf");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(GgufFormatError);
  const e = err as GgufFormatError;
  expect(e.field).toMatch(field);
  if (detail) expect(e.message).toMatch(detail);
  expect(e.ko).toMatch(/올바르지 않은 GGUF/);
  return e;
}

const dir = mkdtempSync(join(tmpdir(), "gguf-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readGguf on hand-made files", () => {
  it("reads the header, metadata, tensor infos and the data section start", () => {
    const g = parseGguf(file());
    expect(g.version).toBe(3);
    expect(g.alignment).toBe(32);
    // header: 4 + 4 + 8 + 8; kv 1: 8 + 20 + 4 + 8 + 5 = 45; kv 2: 8 + 1 + 4 + 4 = 17;
    // t0: 8 + 2 + 4 + 16 + 4 + 8 = 42; t1: 8 + 2 + 4 + 8 + 4 + 8 = 34 -> 162, padded to 192
    expect(g.dataOffset).toBe(192);
    expect(g.architecture).toBe("llama");
    expect(g.getU32("n")).toBe(7);
    expect(g.tensors.map((t) => [t.name, t.ne, t.type, t.offset, t.byteLength, t.elementCount])).toEqual([
      ["t0", [4, 2], 0, 192, 32, 8],
      ["t1", [32], 8, 224, 34, 32],
    ]);
    expect([...g.readTensorData("t1")]).toEqual(Array.from({ length: 34 }, (_, i) => 32 + i));
  });

  it("reads tensor data from a file by range, into an aligned buffer", () => {
    const path = join(dir, "small.gguf");
    writeFileSync(path, file());
    const g = readGguf(path);
    const d = g.readTensorData(g.tensor("t0"));
    expect(d.byteOffset).toBe(0);
    expect([...d]).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(g.readTensorData("t1").length).toBe(34);
  });

  it("reads every value type, with 64-bit integers exact", () => {
    const kv: ((b: Bytes) => void)[] = [
      (b) => b.str("u8").i32(0).u8(200),
      (b) => b.str("i8").i32(1).i8(-5),
      (b) => b.str("u16").i32(2).u16(60000),
      (b) => b.str("i16").i32(3).i16(-300),
      (b) => b.str("u32").i32(4).u32(4000000000),
      (b) => b.str("i32").i32(5).i32(-7),
      (b) => b.str("f32").i32(6).f32(0.1),
      (b) => b.str("bool").i32(7).u8(1),
      (b) => b.str("s").i32(8).str("한국어 ✓"),
      (b) => b.str("u64").i32(10).u64(2n ** 63n + 5n),
      (b) => b.str("i64").i32(11).i64(-(2n ** 62n)),
      (b) => b.str("f64").i32(12).f64(Math.PI),
      (b) => b.str("a.str").i32(9).i32(8).u64(3).str("x").str("").str("가"),
      (b) => b.str("a.i64").i32(9).i32(11).u64(2).i64(-1).i64(2n ** 60n),
      (b) => b.str("a.bool").i32(9).i32(7).u64(3).u8(1).u8(0).u8(1),
      (b) => b.str("a.f32").i32(9).i32(6).u64(2).f32(1.5).f32(-2),
      (b) => b.str("a.nested").i32(9).i32(9).u64(2).i32(8).u64(1).str("p").i32(8).u64(2).str("q").str("r"),
    ];
    const g = parseGguf(file({ kv, tensors: [], dataBytes: 0 }));
    const plain = Object.fromEntries([...g.metadata].map(([k, v]) => [k, v]));
    expect(plain).toEqual({
      u8: { type: "uint8", value: 200 },
      i8: { type: "int8", value: -5 },
      u16: { type: "uint16", value: 60000 },
      i16: { type: "int16", value: -300 },
      u32: { type: "uint32", value: 4000000000 },
      i32: { type: "int32", value: -7 },
      f32: { type: "float32", value: Math.fround(0.1) },
      bool: { type: "bool", value: true },
      s: { type: "string", value: "한국어 ✓" },
      u64: { type: "uint64", value: 2n ** 63n + 5n },
      i64: { type: "int64", value: -(2n ** 62n) },
      f64: { type: "float64", value: Math.PI },
      "a.str": { type: "array", value: { itemType: "string", items: ["x", "", "가"] } },
      "a.i64": { type: "array", value: { itemType: "int64", items: new BigInt64Array([-1n, 2n ** 60n]) } },
      "a.bool": { type: "array", value: { itemType: "bool", items: [true, false, true] } },
      "a.f32": { type: "array", value: { itemType: "float32", items: new Float32Array([1.5, -2]) } },
      "a.nested": {
        type: "array",
        value: { itemType: "array", items: [{ itemType: "string", items: ["p"] }, { itemType: "string", items: ["q", "r"] }] },
      },
    });
    // with no tensors ggml does not pad: the data section starts right after the metadata
    expect(g.dataOffset).toBe(g.size);
  });

  it("reads version 2 files (same layout)", () => {
    expect(parseGguf(file({ version: 2 })).version).toBe(2);
  });

  it("honours general.alignment", () => {
    const kv = [(b: Bytes) => b.str("general.alignment").i32(4).u32(64)];
    // header: 24 + (8 + 17 + 4 + 4) + t0 42 + t1 34 = 133 -> data at 192 with 64-byte alignment; t1 must start at 64
    const g = parseGguf(file({ kv, tensors: [T0, { ...T1, offset: 64 }], dataBytes: 98, align: 64 }));
    expect(g.alignment).toBe(64);
    expect(g.dataOffset).toBe(192);
    expect(g.tensor("t1").offset).toBe(256);
  });
});

describe("files on disk", () => {
  it("names a missing file, a directory and a non-GGUF file", () => {
    expect(() => readGguf(join(dir, "nope.gguf"))).toThrow(FileNotFoundError);
    expect(() => readGguf(dir)).toThrow(/not a regular file/);
    const text = join(dir, "notes.txt");
    writeFileSync(text, "hello, this is not a model\n");
    expect(() => readGguf(text)).toThrow(/expected "GGUF", found "hell"/);
  });

  it("reads the header of a 4 GiB model without reading its data", () => {
    // A sparse file: a header declaring a 4 GiB F32 tensor and a 32-byte one after it, then a hole up to the end.
    const big = { name: "big", ne: [2 ** 30], type: 0, offset: 0 };
    const small = { name: "small", ne: [8], type: 0, offset: 2 ** 32 };
    const header = file({ tensors: [big, small], dataBytes: 0 });
    const path = join(dir, "sparse.gguf");
    writeFileSync(path, header);
    truncateSync(path, header.length + 2 ** 32 + 32);
    const rssBefore = process.memoryUsage().rss;
    const g = readGguf(path);
    expect(g.tensor("big").byteLength).toBe(2 ** 32);
    expect(g.tensor("small").offset).toBe(header.length + 2 ** 32);
    expect([...g.readTensorData("small")]).toEqual(new Array(32).fill(0));
    const target = new Uint8Array(40).fill(7);
    g.readTensorDataInto("small", target);
    expect([...target]).toEqual([...new Array(32).fill(0), ...new Array(8).fill(7)]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 2 ** 20);
  });
});

describe("typed getters", () => {
  const g = parseGguf(
    file({
      kv: [
        (b) => b.str("s").i32(8).str("v"),
        (b) => b.str("u").i32(4).u32(3),
        (b) => b.str("big").i32(10).u64(2n ** 60n),
        (b) => b.str("small64").i32(11).i64(-12),
        (b) => b.str("toks").i32(9).i32(8).u64(1).str("a"),
      ],
    }),
    "m.gguf",
  );

  it("return values of the right type", () => {
    expect(g.getString("s")).toBe("v");
    expect(g.getU32("u")).toBe(3);
    expect(g.getInt("u")).toBe(3);
    expect(g.getInt("small64")).toBe(-12);
    expect(g.getU64("big")).toBe(2n ** 60n);
    expect(g.getStringArray("toks")).toEqual(["a"]);
    expect(g.getF32("missing", 1e-5)).toBe(1e-5);
    expect(g.getString("missing", undefined)).toBeUndefined();
  });

  it("throw a GgufFormatError naming the key when it is missing or of another type", () => {
    const expectErr = (f: () => unknown, key: string, text: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(GgufFormatError);
        expect((e as GgufFormatError).field).toBe(key);
        expect((e as GgufFormatError).message).toMatch(text);
      }
    };
    expectErr(() => g.getU32("s"), "s", /expected uint32, found string/);
    expectErr(() => g.getString("nope"), "nope", /missing key/);
    expectErr(() => g.getInt("big"), "big", /expected integer/); // 2^60 does not fit a JS number exactly
    expectErr(() => g.getF32Array("toks"), "toks", /found array of string/);
    expectErr(() => g.getU32("s", 0), "s", /found string/); // a fallback covers absence, not a wrong type
    expectErr(() => g.tensor("blk.9.attn_q.weight"), 'tensor "blk.9.attn_q.weight"', /missing tensor/);
  });
});

describe("validation: each broken rule is a GgufFormatError naming the field", () => {
  it("bad magic, short file", () => {
    rejects(file({ magic: "GGML" }), /^magic$/, /expected "GGUF", found "GGML"/);
    rejects(new Uint8Array([0x47, 0x47]), /^magic$/, /too short/);
  });

  it("unsupported versions, including a byte-swapped one", () => {
    rejects(file({ version: 1 }), /^version$/, /version 1 is not supported/);
    rejects(file({ version: 4 }), /^version$/);
    rejects(file({ version: 0x03000000 }), /^version$/, /byte-swapped/);
  });

  it("absurd or negative counts, before any loop or allocation", () => {
    rejects(file({ nTensors: 2n ** 62n }), /n_tensors/, /cannot fit/);
    rejects(file({ nKv: 2n ** 40n }), /n_kv/);
    rejects(file({ nKv: -1n }), /n_kv/);
    rejects(file({ kv: [(b) => b.str("a").i32(9).i32(6).u64(2n ** 61n)] }), /"a" length/, /array of \d+ float32 items/);
    rejects(file({ kv: [(b) => b.str("a").i32(9).i32(8).u64(2n ** 40n)] }), /"a" length/);
    rejects(file({ kv: [(b) => b.str("a").i32(8).u64(2n ** 63n)] }), /"a"/, /string length \d+ exceeds/);
    rejects(file({ kv: [(b) => b.u64(1e12)] }), /metadata\[0\] key/, /string length/);
  });

  it("truncation at every byte", () => {
    const full = file();
    for (let n = 0; n < full.length; n++) {
      expect(() => parseGguf(full.subarray(0, n))).toThrow(GgufFormatError);
    }
  });

  it("bad metadata: unknown type, empty key, duplicate key, deep nesting, general.alignment", () => {
    rejects(file({ kv: [(b) => b.str("a").i32(13).u8(0)] }), /"a" type/, /unknown value type id 13/);
    rejects(file({ kv: [(b) => b.str("").i32(4).u32(1)] }), /metadata\[0\] key/, /empty key/);
    rejects(file({ kv: [(b) => b.str("a").i32(4).u32(1), (b) => b.str("a").i32(4).u32(2)] }), /"a"/, /duplicate key/);
    const deep = (b: Bytes) => {
      b.str("deep").i32(9);
      for (let i = 0; i < 20; i++) b.i32(9).u64(1);
      b.i32(4).u64(0);
    };
    rejects(file({ kv: [deep] }), /deep/, /nested deeper/);
    rejects(file({ kv: [(b) => b.str("general.alignment").i32(4).u32(48)] }), /general.alignment/, /not a power of two/);
    rejects(file({ kv: [(b) => b.str("general.alignment").i32(10).u64(32)] }), /general.alignment/, /must be uint32/);
  });

  it("bad tensor infos: dimensions, element count, types, block size, names", () => {
    rejects(file({ tensors: [{ ...T0, nDims: 5, ne: [1, 1, 1, 1, 1] }] }), /"t0" n_dims/, /5 dimensions/);
    rejects(file({ tensors: [{ ...T0, ne: [4, 0] }] }), /"t0" ne\[1\]/);
    rejects(file({ tensors: [{ ...T0, ne: [-4, 2] }] }), /"t0" ne\[0\]/);
    rejects(file({ tensors: [{ ...T0, ne: [2n ** 30n, 2n ** 30n] }] }), /"t0" shape/, /2\^53/);
    rejects(file({ tensors: [{ ...T0, type: 4 }] }), /"t0" type/, /Q4_2\) was removed/);
    rejects(file({ tensors: [{ ...T0, type: 99 }] }), /"t0" type/, /unknown ggml type id 99/);
    rejects(file({ tensors: [{ ...T1, ne: [31] }] }), /"t1" ne\[0\]/, /not a multiple of the q8_0 block size 32/);
    rejects(file({ tensors: [T0, { ...T1, name: "t0" }] }), /"t0"/, /duplicate tensor name/);
    rejects(file({ tensors: [{ ...T0, name: "x".repeat(64) }] }), /name/, /longer than ggml's 63 bytes/);
    rejects(file({ tensors: [{ ...T0, offset: 2n ** 60n }] }), /"t0" offset/, /exceeds 2\^53/);
  });

  it("bad layout: misaligned, overlapping, gapped, past the end of the file", () => {
    rejects(file({ tensors: [T0, { ...T1, offset: 16 }] }), /"t1" offset/, /not a multiple of the alignment 32/);
    rejects(file({ tensors: [T0, { ...T1, offset: 0 }] }), /"t1" offset/, /overlaps tensor "t0"/);
    rejects(file({ tensors: [T0, { ...T1, offset: 64 }], dataBytes: 98 }), /"t1" offset/, /gap/);
    rejects(file({ dataBytes: 65 }), /"t1" offset/, /past the end of the file/);
    rejects(file({ tensors: [{ name: "big", ne: [1 << 20], type: 0, offset: 0 }] }), /"big" offset/, /past the end/);
  });
});
