// The safetensors reader against files assembled byte by byte from the format's definition (8-byte little-endian
// header length, JSON header, data buffer), and every validation rule with a file that breaks exactly that rule.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileNotFoundError, SafetensorsFormatError, UnsupportedTensorTypeError } from "../../errors.js";
import { parseSafetensors, readSafetensors } from "./reader.js";

/** length (u64 LE) + header text + data bytes. */
function file(header: string, data: number[] = [], declaredLength?: bigint): Uint8Array {
  const text = Buffer.from(header, "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(declaredLength ?? BigInt(text.length));
  return new Uint8Array(Buffer.concat([len, text, Buffer.from(data)]));
}

// F32 1.5 = 0x3fc00000, F32 -2 = 0xc0000000, F16 1.0 = 0x3c00, F16 -0.5 = 0xb800, BF16 1.0 = 0x3f80, BF16 -3 = 0xc040.
const DATA = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x3c, 0x00, 0xb8, 0x80, 0x3f, 0x40, 0xc0];
const GOOD =
  '{"__metadata__":{"format":"pt"},' +
  '"b":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},' +
  '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
  '"c":{"dtype":"BF16","shape":[2,1],"data_offsets":[12,16]}}';

function rejects(bytes: Uint8Array, field: RegExp, detail?: RegExp): void {
  let err: unknown;
  try {
    parseSafetensors(bytes, "bad.safetensors");
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SafetensorsFormatError);
  const e = err as SafetensorsFormatError;
  expect(e.field).toMatch(field);
  if (detail) expect(e.message).toMatch(detail);
  expect(e.message).toContain("bad.safetensors");
  expect(e.ko).toContain("safetensors");
}

describe("safetensors reader", () => {
  it("parses a hand-made file: metadata, shapes, absolute offsets and values of F32, F16 and BF16", () => {
    const st = parseSafetensors(file(GOOD, DATA));
    expect(st.metadata).toEqual({ format: "pt" });
    expect(st.tensors.map((t) => t.name)).toEqual(["b", "a", "c"]);
    const headerEnd = 8 + Buffer.byteLength(GOOD);
    expect(st.dataOffset).toBe(headerEnd);
    expect(st.tensor("a")).toMatchObject({ dtype: "F32", shape: [2], offset: headerEnd, byteLength: 8, elementCount: 2 });
    expect(st.tensor("b")).toMatchObject({ dtype: "F16", shape: [1, 2], offset: headerEnd + 8, byteLength: 4 });
    expect([...st.readFloat32("a")]).toEqual([1.5, -2]);
    expect([...st.readFloat32("b")]).toEqual([1, -0.5]);
    expect([...st.readFloat32("c")]).toEqual([1, -3]);
    expect([...st.readTensorData("b")]).toEqual([0x00, 0x3c, 0x00, 0xb8]);
  });

  it("accepts space padding after the JSON, an empty file {} and zero-size tensors", () => {
    expect(parseSafetensors(file(GOOD + "      ", DATA)).tensors).toHaveLength(3);
    expect(parseSafetensors(file("{}")).tensors).toEqual([]);
    const z = parseSafetensors(file('{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [7]));
    expect(z.tensor("z").elementCount).toBe(0);
    expect([...z.readTensorData("a")]).toEqual([7]);
  });

  it("reads from disk, data on demand; a missing path is FileNotFoundError", () => {
    const dir = mkdtempSync(join(tmpdir(), "localtune-st-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "x.safetensors");
    writeFileSync(path, file(GOOD, DATA));
    const st = readSafetensors(path);
    expect([...st.readFloat32("a")]).toEqual([1.5, -2]);
    expect(() => readSafetensors(join(dir, "none.safetensors"))).toThrow(FileNotFoundError);
    expect(() => readSafetensors(dir)).toThrow(SafetensorsFormatError);
  });

  it("refuses float32 conversion of integer tensors by name", () => {
    const st = parseSafetensors(file('{"i":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}', [1, 0, 0, 0]));
    expect(() => st.readFloat32("i")).toThrow(UnsupportedTensorTypeError);
    expect(() => st.tensor("nope")).toThrow(SafetensorsFormatError);
  });

  it("rejects bad header lengths", () => {
    rejects(new Uint8Array(5), /header length/, /too short/);
    rejects(file("{}", [], 200_000_000n), /header length/, /limit/);
    rejects(file("{}", [], 64n), /header length/, /does not fit/);
    rejects(file("{}", [], 0n), /header length/);
  });

  it("rejects headers that are not a UTF-8 JSON object", () => {
    rejects(file('["a"]'), /header/, /start with/);
    rejects(file('{"a":'), /header/, /not valid JSON/);
    const bad = file('{"\u00e9":1}');
    bad[10] = 0xff; // breaks the two-byte sequence of é
    rejects(bad, /header/, /UTF-8/);
    rejects(file('{"__metadata__":{"n":1}}'), /__metadata__\.n/, /string/);
    rejects(file('{"__metadata__":[]}'), /__metadata__/);
  });

  it("rejects malformed tensor entries", () => {
    rejects(file('{"a":1}'), /tensor "a"/, /object/);
    rejects(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}', [0, 0, 0, 0]), /tensor "a"/, /unexpected field/);
    rejects(file('{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /dtype/, /unknown dtype "Q4"/);
    rejects(file('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /shape/);
    rejects(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', [0, 0, 0, 0]), /data_offsets/);
    rejects(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', [0, 0, 0, 0]), /data_offsets/, /not a range/);
    rejects(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}', [0, 0, 0, 0]), /data_offsets/, /not a range/);
    rejects(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor "a"/, /needs 8 bytes/);
    // 2^40 x 2^40 elements would overflow 64 bits: the size check must still fail, not wrap.
    rejects(file('{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /tensor "a"/, /needs/);
  });

  it("rejects holes, overlaps and unindexed bytes", () => {
    const two = (a: [number, number], b: [number, number]) =>
      `{"a":{"dtype":"U8","shape":[${a[1] - a[0]}],"data_offsets":[${a[0]},${a[1]}]},"b":{"dtype":"U8","shape":[${b[1] - b[0]}],"data_offsets":[${b[0]},${b[1]}]}}`;
    rejects(file(two([0, 2], [3, 4]), [1, 2, 3, 4]), /tensor "b" data_offsets/, /hole of 1 byte/);
    rejects(file(two([0, 3], [2, 4]), [1, 2, 3, 4]), /tensor "b" data_offsets/, /overlaps/);
    rejects(file(two([0, 2], [2, 3]), [1, 2, 3, 4]), /data buffer/, /cover 3 of the 4/);
    rejects(file(two([1, 2], [2, 4]), [1, 2, 3, 4]), /tensor "a" data_offsets/, /hole/);
  });
});
