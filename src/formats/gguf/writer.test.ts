// The writer: exact bytes for a small file worked out from gguf.h, round trips of every value type, validation, and
// the atomic write (temp file, rename, nothing left behind on failure).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GgufWriteError } from "../../errors.js";
import { GgmlType } from "../tensor-types.js";
import { parseGguf, readGguf } from "./reader.js";
import { gguf, type GgufValue } from "./values.js";
import { encodeGguf, writeGguf, type GgufContent } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "gguf-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (...v: number[]) => new Float32Array(v);

describe("encodeGguf", () => {
  it("writes the bytes gguf.h describes", () => {
    const out = encodeGguf({
      metadata: { "general.architecture": gguf.str("ab"), n: gguf.u32(7) },
      tensors: [{ name: "w", type: GgmlType.F32, ne: [2], data: f32(1, -2) }],
    });
    const hex = (s: string) => s.replace(/\s+/g, "");
    const expected =
      hex(`47475546 03000000 0100000000000000 0200000000000000`) + // magic, version 3, 1 tensor, 2 kv
      hex(`1400000000000000`) + Buffer.from("general.architecture").toString("hex") + hex(`08000000 0200000000000000 6162`) +
      hex(`0100000000000000 6e 04000000 07000000`) + // "n" uint32 7
      hex(`0100000000000000 77 01000000 0200000000000000 00000000 0000000000000000`) + // "w" 1 dim [2] F32 offset 0
      "00".repeat(12) + // header: 24 + 42 + 17 + 33 = 116 bytes, padded to 128
      hex(`0000803f 000000c0`) + // 1.0f, -2.0f
      "00".repeat(24); // the last tensor is padded too, as gguf.cpp's writer does
    expect(out.toString("hex")).toBe(expected);
  });

  it("round-trips every value type and keeps each value's type", () => {
    const metadata: Record<string, GgufValue> = {
      u8: gguf.u8(255), i8: gguf.i8(-128), u16: gguf.u16(65535), i16: gguf.i16(-32768),
      u32: gguf.u32(0xffffffff), i32: gguf.i32(-(2 ** 31)), u64: gguf.u64(2n ** 64n - 1n), i64: gguf.i64(-(2n ** 63n)),
      f32: gguf.f32(1e-5), f64: gguf.f64(1e-300), bool: gguf.bool(false), str: gguf.str("안녕 👋"),
      strs: gguf.strings(["", "a", "토큰"]), f32s: gguf.f32s([0.5, -1]), i32s: gguf.i32s([1, -1]), u32s: gguf.u32s([4e9]),
      bools: gguf.bools([true, false]),
      u64s: gguf.array({ itemType: "uint64", items: new BigUint64Array([1n, 2n ** 63n]) }),
      nested: gguf.array({ itemType: "array", items: [{ itemType: "uint8", items: new Uint8Array([1, 2]) }, { itemType: "string", items: ["x"] }] }),
      empty: gguf.array({ itemType: "float64", items: new Float64Array(0) }),
    };
    const g = parseGguf(encodeGguf({ metadata, tensors: [] }));
    expect(Object.fromEntries(g.metadata)).toEqual(metadata);
    expect([...g.metadata.keys()]).toEqual(Object.keys(metadata));
  });

  it("aligns tensors and adds general.alignment when another alignment is asked for", () => {
    const g = parseGguf(
      encodeGguf(
        { metadata: new Map(), tensors: [{ name: "a", type: GgmlType.F16, ne: [3], data: new Uint16Array([1, 2, 3]) }, { name: "b", type: GgmlType.I8, ne: [5], data: new Int8Array(5) }] },
        { alignment: 128 },
      ),
    );
    expect(g.getU32("general.alignment")).toBe(128);
    expect(g.dataOffset % 128).toBe(0);
    expect(g.tensor("b").relativeOffset).toBe(128);
    const a = g.readTensorData("a");
    expect([...new Uint16Array(a.buffer.slice(a.byteOffset, a.byteOffset + 6))]).toEqual([1, 2, 3]);
  });

  it("rejects inconsistent content with a GgufWriteError naming the problem", () => {
    const t = { name: "t", type: GgmlType.F32, ne: [2], data: f32(1, 2) };
    const bad: [GgufContent, RegExp][] = [
      [{ metadata: {}, tensors: [t, t] }, /duplicate tensor name/],
      [{ metadata: {}, tensors: [{ ...t, data: f32(1) }] }, /data has 4 bytes, f32 \[2\] needs 8/],
      [{ metadata: {}, tensors: [{ ...t, type: GgmlType.Q8_0, ne: [16] }] }, /not a multiple of the q8_0 block size 32/],
      [{ metadata: {}, tensors: [{ ...t, ne: [2, 0] }] }, /each >= 1/],
      [{ metadata: {}, tensors: [{ ...t, ne: [1, 1, 1, 1, 2] }] }, /at most 4 dimensions/],
      [{ metadata: {}, tensors: [{ ...t, name: "n".repeat(64) }] }, /longer than 63 bytes/],
      [{ metadata: {}, tensors: [{ ...t, type: 4 as GgmlType }] }, /unknown ggml type 4/],
      [{ metadata: { "general.alignment": gguf.u32(24) }, tensors: [] }, /not a power of two/],
      [{ metadata: { "general.alignment": gguf.u64(32) }, tensors: [] }, /must be a uint32/],
      [{ metadata: { "": gguf.u8(1) }, tensors: [] }, /empty key/],
      [{ metadata: { x: { type: "uint8", value: 300 } }, tensors: [] }, /300 does not fit uint8/],
    ];
    for (const [content, msg] of bad) expect(() => encodeGguf(content), String(msg)).toThrow(msg);
    expect(() => encodeGguf({ metadata: {}, tensors: [t, t] })).toThrow(GgufWriteError);
    expect(() => encodeGguf({ metadata: { "general.alignment": gguf.u32(64) }, tensors: [] }, { alignment: 32 })).toThrow(/differs/);
    expect(() => gguf.u32(-1)).toThrow(RangeError);
    expect(() => gguf.i64(2n ** 63n)).toThrow(RangeError);
  });
});

describe("writeGguf", () => {
  it("streams lazy tensor data into the file and renames it into place", async () => {
    const path = join(dir, "lazy.gguf");
    let produced = 0;
    const tensors = [0, 1, 2].map((i) => ({
      name: `blk.${i}.w`,
      type: GgmlType.F32,
      ne: [8],
      data: () => {
        produced++;
        return new Float32Array(8).fill(i);
      },
    }));
    await writeGguf(path, { metadata: { "general.architecture": gguf.str("llama") }, tensors });
    expect(produced).toBe(3);
    const g = readGguf(path);
    expect([...new Float32Array(g.readTensorData("blk.2.w").buffer)]).toEqual(new Array(8).fill(2));
    expect(readFileSync(path).equals(encodeGguf({ metadata: { "general.architecture": gguf.str("llama") }, tensors }))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("leaves neither the target nor a temp file when a tensor fails midway", async () => {
    const path = join(dir, "failed.gguf");
    const tensors = [
      { name: "ok", type: GgmlType.F32, ne: [4], data: new Float32Array(4) },
      { name: "short", type: GgmlType.F32, ne: [4], data: () => new Float32Array(3) },
    ];
    await expect(writeGguf(path, { metadata: {}, tensors })).rejects.toThrow(/data has 12 bytes/);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(".failed"))).toEqual([]);
  });
});
