// Conversions against values worked out by hand and against vectors from ggml's reference C code (test/fixtures/quant).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../tensor-types.js";
import { dequantize, quantize } from "./convert.js";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./half.js";
import { dequantizeQ4_K, dequantizeQ6_K } from "./k-quants.js";
import { dequantizeQ4_0, quantizeQ4_0 } from "./q4_0.js";
import { dequantizeQ8_0, quantizeQ8_0 } from "./q8_0.js";

const ref = JSON.parse(readFileSync(new URL("../../../test/fixtures/quant/ggml-reference.json", import.meta.url), "utf8")) as Record<string, string>;
const hex = (k: string) => new Uint8Array(Buffer.from(ref[k]!, "hex"));
const f32s = (k: string) => new Float32Array(hex(k).buffer);
const u16s = (k: string) => new Uint16Array(hex(k).buffer);
const bitsToFloat = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0]!;

describe("F16", () => {
  it("encodes known bit patterns", () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [1 / 3, 0x3555], [65504, 0x7bff],
      [65519.99, 0x7bff], // below the midpoint between 65504 and 65536: stays finite
      [65520, 0x7c00], // the midpoint rounds to even, which is infinity
      [1e6, 0x7c00], [-Infinity, 0xfc00], [0, 0x0000], [-0, 0x8000],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // halfway between 0 and 2^-24: ties to even (0)
      [3 * 2 ** -26, 0x0001], // above halfway
      [1023.5 * 2 ** -24, 0x0400], // halfway between the largest subnormal and the smallest normal: to even
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1 + 2^-10: even mantissa 0
      [1 + 3 * 2 ** -11, 0x3c02], // tie between mantissas 1 and 2: even is 2
    ];
    for (const [x, bits] of cases) expect(f32ToF16Bits(x), `f16(${x})`).toBe(bits);
  });

  it("maps NaN to 0x7e00 with its sign, as ggml does", () => {
    expect(f32ToF16Bits(NaN)).toBe(0x7e00);
    expect(f32ToF16Bits(bitsToFloat(0xffc00001))).toBe(0xfe00);
  });

  it("decodes known bit patterns", () => {
    expect(f16BitsToF32(0x3c00)).toBe(1);
    expect(f16BitsToF32(0x0001)).toBe(2 ** -24);
    expect(f16BitsToF32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16BitsToF32(0x7bff)).toBe(65504);
    expect(f16BitsToF32(0x3555)).toBe(0.333251953125);
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
    expect(Object.is(f16BitsToF32(0x8000), -0)).toBe(true);
    expect(f16BitsToF32(0x7e00)).toBeNaN();
  });

  it("round-trips every non-NaN F16 value and rounds random floats to the nearest one", () => {
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      if (f32ToF16Bits(f16BitsToF32(h)) !== h) throw new Error(`round trip of 0x${h.toString(16)}`);
    }
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20000; i++) {
      const x = Math.fround((rnd() * 2 - 1) * 2 ** (rnd() * 40 - 26));
      const h = f32ToF16Bits(x);
      const v = f16BitsToF32(h);
      // The neighbours in magnitude are h - 1 and h + 1 (same sign); neither may be closer than the chosen value.
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) > 0x7bff || (n & 0x8000) !== (h & 0x8000)) continue;
        expect(Math.abs(x - f16BitsToF32(n))).toBeGreaterThanOrEqual(Math.abs(x - v));
      }
    }
  });

  it("equals ggml_compute_fp32_to_fp16 on the reference vector", () => {
    const x = f32s("input_f32");
    const want = u16s("f16");
    for (let i = 0; i < x.length; i++) expect(f32ToF16Bits(x[i]!)).toBe(want[i]);
  });
});

describe("BF16", () => {
  it("rounds to nearest even on the dropped 16 bits", () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(bitsToFloat(0x3f808000))).toBe(0x3f80); // tie, even stays
    expect(f32ToBf16Bits(bitsToFloat(0x3f818000))).toBe(0x3f82); // tie, odd rounds up
    expect(f32ToBf16Bits(bitsToFloat(0x3f808001))).toBe(0x3f81); // above the tie
    expect(f32ToBf16Bits(bitsToFloat(0x00018000))).toBe(0x0002); // subnormals are kept, not flushed
    expect(f32ToBf16Bits(bitsToFloat(0x7f7fffff))).toBe(0x7f80); // largest float overflows to inf
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
  });

  it("makes NaN quiet and keeps its sign", () => {
    expect(f32ToBf16Bits(bitsToFloat(0x7fa00000))).toBe(0x7fe0);
    expect(f32ToBf16Bits(bitsToFloat(0xff800001))).toBe(0xffc0);
  });

  it("decodes exactly and equals ggml_compute_fp32_to_bf16 on the reference vector", () => {
    expect(bf16BitsToF32(0x3f80)).toBe(1);
    expect(bf16BitsToF32(0xc0a0)).toBe(-5);
    const x = f32s("input_f32");
    const want = u16s("bf16");
    for (let i = 0; i < x.length; i++) expect(f32ToBf16Bits(x[i]!)).toBe(want[i]);
  });
});

describe("Q8_0", () => {
  it("quantizes a block of 0..31 as worked out by hand", () => {
    const x = Float32Array.from({ length: 32 }, (_, j) => j);
    const q = quantizeQ8_0(x);
    expect(q.length).toBe(34);
    // d = 31 / 127 = 0.2440945 -> F16: exponent -3, mantissa round(0.9527559 * 1024) = 976 -> 0x3000 | 0x3d0
    expect(q[0]! | (q[1]! << 8)).toBe(0x33d0);
    const qs = new Int8Array(q.buffer, 2, 32);
    // q = round(j * 127 / 31): 1 -> 4.10 -> 4, 8 -> 32.77 -> 33, 16 -> 65.55 -> 66, 31 -> 127
    expect([qs[0], qs[1], qs[2], qs[8], qs[16], qs[31]]).toEqual([0, 4, 8, 33, 66, 127]);
    for (let j = 0; j < 32; j++) expect(qs[j]).toBe(Math.round((j * 127) / 31));
    // dequantized with the stored F16 scale 0.244140625: 127 * d = 31.005859375
    const y = dequantizeQ8_0(q, 32);
    expect(y[31]).toBe(31.005859375);
    expect(y[1]).toBe(4 * 0.244140625);
  });

  it("handles a negative extreme and an all-zero block", () => {
    const x = new Float32Array(64);
    x[3] = -2;
    const q = quantizeQ8_0(x);
    expect(new Int8Array(q.buffer, 2, 32)[3]).toBe(-127);
    expect(Array.from(q.subarray(34))).toEqual(new Array(34).fill(0));
    expect(dequantizeQ8_0(q, 64)[3]).toBeCloseTo(-2, 2);
  });

  it("equals quantize_row_q8_0_ref byte for byte", () => {
    expect(Buffer.from(quantizeQ8_0(f32s("input_f32"))).toString("hex")).toBe(ref.q8_0);
  });
});

describe("Q4_0", () => {
  it("quantizes -16..15 as worked out by hand", () => {
    const x = Float32Array.from({ length: 32 }, (_, j) => j - 16);
    const q = quantizeQ4_0(x);
    // the largest magnitude is -16, so d = -16 / -8 = 2 (F16 0x4000) and q = min(15, trunc(x / 2 + 8.5))
    expect(q[0]! | (q[1]! << 8)).toBe(0x4000);
    // byte 0: element 0 (x = -16 -> q 0) low, element 16 (x = 0 -> q 8) high
    expect(q[2]).toBe(0x80);
    // byte 15: element 15 (x = -1 -> trunc(8.0) = 8) low, element 31 (x = 15 -> min(15, 16) = 15) high
    expect(q[17]).toBe(0xf8);
    const y = dequantizeQ4_0(q, 32);
    expect(y[0]).toBe(-16);
    expect(y[15]).toBe(0);
    expect(y[31]).toBe(14);
  });

  it("equals quantize_row_q4_0_ref byte for byte", () => {
    expect(Buffer.from(quantizeQ4_0(f32s("input_f32"))).toString("hex")).toBe(ref.q4_0);
  });
});

/** Packs a Q4_K block from chosen 6-bit scales/mins and 4-bit quants, following the layout in ggml-common.h. */
function packQ4K(d: number, dmin: number, sc: number[], m: number[], q: number[]): Uint8Array {
  const b = new Uint8Array(144);
  const v = new DataView(b.buffer);
  v.setUint16(0, f32ToF16Bits(d), true);
  v.setUint16(2, f32ToF16Bits(dmin), true);
  for (let j = 0; j < 4; j++) {
    b[4 + j] = (sc[j]! & 63) | ((sc[j + 4]! >> 4) << 6);
    b[4 + j + 4] = (m[j]! & 63) | ((m[j + 4]! >> 4) << 6);
    b[4 + j + 8] = (sc[j + 4]! & 0xf) | ((m[j + 4]! & 0xf) << 4);
  }
  // value i: chunk c = i >> 6 uses qs[32c .. 32c + 32); the first 32 values low nibbles, the next 32 high nibbles
  for (let i = 0; i < 256; i++) {
    const c = i >> 6, r = i & 63, at = 16 + 32 * c + (r & 31);
    b[at] = r < 32 ? (b[at]! & 0xf0) | q[i]! : (b[at]! & 0x0f) | (q[i]! << 4);
  }
  return b;
}

describe("Q4_K", () => {
  it("dequantizes a hand-packed block: value = d * scale * q - dmin * min per 32-value sub-block", () => {
    const sc = [1, 2, 3, 4, 5, 42, 7, 63]; // 42 and 63 use the high 2 bits stored in bytes 0-3
    const m = [0, 1, 2, 3, 4, 5, 53, 60];
    const q = Array.from({ length: 256 }, (_, i) => (i * 7) % 16);
    const y = dequantizeQ4_K(packQ4K(1, 0.5, sc, m, q), 256);
    for (let i = 0; i < 256; i++) expect(y[i], `value ${i}`).toBe(sc[i >> 5]! * q[i]! - 0.5 * m[i >> 5]!);
    // by hand: value 32 is sub-block 1, q = 224 % 16 = 0 -> 2 * 0 - 0.5 * 1 = -0.5; value 200 is sub-block 6,
    // q = 1400 % 16 = 8 -> 7 * 8 - 0.5 * 53 = 29.5
    expect(y[32]).toBe(-0.5);
    expect(y[200]).toBe(29.5);
  });

  it("equals dequantize_row_q4_K on random blocks", () => {
    expect(Array.from(dequantizeQ4_K(hex("q4_K"), 512))).toEqual(Array.from(f32s("q4_K_f32")));
  });
});

describe("Q6_K", () => {
  it("dequantizes a hand-packed block: value = d * scale * (q - 32) per 16-value sub-block", () => {
    const b = new Uint8Array(210);
    const q = Array.from({ length: 256 }, (_, i) => (i * 37 + 11) % 64);
    const scales = Array.from({ length: 16 }, (_, i) => i * 9 - 70); // int8, negative and positive
    for (let i = 0; i < 256; i++) {
      const half = i >> 7, r = i & 127, group = r >> 5, l = r & 31;
      const ql = half * 64 + l + (group & 1 ? 32 : 0);
      b[ql] = group < 2 ? (b[ql]! & 0xf0) | (q[i]! & 0xf) : (b[ql]! & 0x0f) | ((q[i]! & 0xf) << 4);
      b[128 + half * 32 + l] = b[128 + half * 32 + l]! | ((q[i]! >> 4) << (2 * group));
    }
    scales.forEach((s, i) => (b[192 + i] = s & 0xff));
    new DataView(b.buffer).setUint16(208, f32ToF16Bits(0.5), true);
    const y = dequantizeQ6_K(b, 256);
    // value i is in 16-value sub-block i >> 4 (scale index half * 8 + group * 2 + (l >> 4) = i >> 4)
    for (let i = 0; i < 256; i++) expect(y[i], `value ${i}`).toBe(0.5 * scales[i >> 4]! * (q[i]! - 32));
  });

  it("equals dequantize_row_q6_K on random blocks", () => {
    expect(Array.from(dequantizeQ6_K(hex("q6_K"), 512))).toEqual(Array.from(f32s("q6_K_f32")));
  });
});

describe("quantize / dequantize dispatch", () => {
  it("round-trips F32 exactly and F16 / BF16 / Q8_0 / Q4_0 within their precision", () => {
    const x = f32s("input_f32");
    const n = x.length;
    expect(dequantize(GgmlType.F32, quantize(GgmlType.F32, x), n)).toEqual(x);
    const blockMax = (i: number) => Math.max(...Array.from(x.subarray(i & ~31, (i & ~31) + 32), Math.abs));
    // Half a step of each format: F16 and BF16 relative to the value (11 and 8 mantissa bits, plus F16's subnormal
    // step); Q8_0 half of d = amax / 127 (plus the F16 rounding of d); Q4_0 one step d = amax / 8 (the top is clamped).
    const bound: [GgmlType, (i: number) => number][] = [
      [GgmlType.F16, (i) => Math.abs(x[i]!) * 2 ** -11 + 2 ** -25],
      [GgmlType.BF16, (i) => Math.abs(x[i]!) * 2 ** -8],
      [GgmlType.Q8_0, (i) => blockMax(i) * (0.5 / 127 + 2 ** -11)],
      [GgmlType.Q4_0, (i) => blockMax(i) * (1 / 8) * (1 + 2 ** -10)],
    ];
    for (const [type, b] of bound) {
      const y = dequantize(type, quantize(type, x), n);
      for (let i = 0; i < n; i++) expect(Math.abs(y[i]! - x[i]!), `type ${type} value ${i}`).toBeLessThanOrEqual(b(i));
    }
  });

  it("refuses types it does not implement with a named error", () => {
    expect(() => quantize(GgmlType.Q4_K, new Float32Array(256))).toThrow(/q4_K/);
    expect(() => dequantize(GgmlType.IQ2_XXS, new Uint8Array(66), 256)).toThrow(expect.objectContaining({ name: "UnsupportedTensorTypeError" }));
  });
});
