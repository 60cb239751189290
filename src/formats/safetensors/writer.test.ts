// The safetensors writer: exact bytes for a small file (header padded with spaces to 8 bytes), reading back what it
// wrote, and refusing inconsistent input.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidConfigError } from "../../errors.js";
import { parseSafetensors, readSafetensors } from "./reader.js";
import { encodeSafetensors, writeSafetensors } from "./writer.js";

describe("safetensors writer", () => {
  it("writes the exact bytes of a one-tensor file", () => {
    const bytes = encodeSafetensors({ tensors: [{ name: "t", dtype: "F32", shape: [1], data: Float32Array.of(1.5) }] });
    // 54 bytes of JSON, padded with 2 spaces to 56; then 1.5 as F32 little-endian (0x3fc00000).
    const json = '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}  ';
    const expected = Buffer.concat([Buffer.from([56, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(json), Buffer.from([0x00, 0x00, 0xc0, 0x3f])]);
    expect([...bytes]).toEqual([...expected]);
  });

  it("round-trips metadata, order and values through a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "localtune-stw-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "a.safetensors");
    const b = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);
    await writeSafetensors(path, {
      metadata: { format: "pt", 이름: "한국어" },
      tensors: [
        { name: "x.lora_B.weight", dtype: "F32", shape: [3, 2], data: b },
        { name: "x.lora_A.weight", dtype: "F16", shape: [1, 2], data: Uint16Array.of(0x3c00, 0xb800) },
      ],
    });
    expect(readdirSync(dir)).toEqual(["a.safetensors"]);
    const st = readSafetensors(path);
    expect(st.metadata).toEqual({ format: "pt", 이름: "한국어" });
    expect(st.tensors.map((t) => t.name)).toEqual(["x.lora_B.weight", "x.lora_A.weight"]);
    expect([...st.readFloat32("x.lora_B.weight")]).toEqual([...b]);
    expect([...st.readFloat32("x.lora_A.weight")]).toEqual([1, -0.5]);
    expect((st.dataOffset - 8) % 8).toBe(0);
    expect(parseSafetensors(readFileSync(path)).tensors).toHaveLength(2);
  });

  it("refuses a size mismatch and duplicate names, writing nothing", async () => {
    expect(() => encodeSafetensors({ tensors: [{ name: "t", dtype: "F32", shape: [2], data: Float32Array.of(1) }] })).toThrow(InvalidConfigError);
    const dup = { name: "t", dtype: "U8" as const, shape: [1], data: Uint8Array.of(1) };
    expect(() => encodeSafetensors({ tensors: [dup, dup] })).toThrow(/duplicate/);
    const dir = mkdtempSync(join(tmpdir(), "localtune-stw-"));
    await expect(writeSafetensors(join(dir, "x.safetensors"), { tensors: [dup, dup] })).rejects.toThrow(InvalidConfigError);
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
