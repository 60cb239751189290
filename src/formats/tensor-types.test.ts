// The ggml type table against facts stated independently in ggml-common.h's comments (bits per weight) and by hand.
import { describe, expect, it } from "vitest";
import { GGML_TYPES, GgmlType, ggmlTypeByName, ggmlTypeInfo, ggmlTypeName, isGgmlType, rowBytes, tensorBytes } from "./tensor-types.js";

describe("ggml type table", () => {
  it("has ggml's ids, with the removed ids 4, 5, 31-33, 36-38 absent", () => {
    expect([GgmlType.F32, GgmlType.F16, GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.BF16, GgmlType.MXFP4]).toEqual([0, 1, 2, 8, 12, 14, 30, 39]);
    for (const removed of [4, 5, 31, 32, 33, 36, 37, 38, 43, -1]) expect(isGgmlType(removed)).toBe(false);
    expect(GGML_TYPES.length).toBe(35);
  });

  it("gives the bits per weight that ggml-common.h documents for each block format", () => {
    const bpw = (name: string) => {
      const t = ggmlTypeByName(name)!;
      return (t.bytesPerBlock * 8) / t.blockSize;
    };
    const documented: Record<string, number> = {
      q2_K: 2.625, q3_K: 3.4375, q4_K: 4.5, q5_K: 5.5, q6_K: 6.5625, iq2_xxs: 2.0625, iq2_xs: 2.3125, iq2_s: 2.5625,
      iq3_xxs: 3.0625, iq3_s: 3.4375, tq1_0: 1.6875, tq2_0: 2.0625, q4_0: 4.5, q8_0: 8.5, f16: 16, bf16: 16, f32: 32,
    };
    for (const [name, bits] of Object.entries(documented)) expect(bpw(name), name).toBe(bits);
  });

  it("computes row and tensor sizes", () => {
    expect(rowBytes(GgmlType.Q8_0, 64)).toBe(68);
    expect(rowBytes(GgmlType.F16, 3)).toBe(6);
    expect(tensorBytes(GgmlType.Q4_K, [4096, 4096])).toBe((4096 * 4096 * 144) / 256);
    expect(tensorBytes(GgmlType.F32, [64, 172, 2])).toBe(64 * 172 * 2 * 4);
    expect(tensorBytes(GgmlType.F32, [])).toBe(4);
    expect(() => rowBytes(GgmlType.Q8_0, 33)).toThrow(RangeError);
  });

  it("names types as ggml does and looks them up by name", () => {
    expect(ggmlTypeName(GgmlType.Q4_K)).toBe("q4_K");
    expect(ggmlTypeName(99)).toBe("type#99");
    expect(ggmlTypeByName("Q6_K")?.id).toBe(14);
    expect(ggmlTypeInfo(GgmlType.IQ4_NL)).toMatchObject({ blockSize: 32, bytesPerBlock: 18, quantized: true });
  });
});
