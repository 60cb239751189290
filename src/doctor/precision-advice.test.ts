import { describe, expect, it } from "vitest";
import { precisionAdvice } from "./precision-advice.js";

describe("precision advice", () => {
  it("points an AVX512-BF16 CPU at --precision bf16, an AVX2 laptop at --precision q8, and says nothing elsewhere", () => {
    expect(precisionAdvice(["AVX2", "AVX512F", "AVX512_BF16"]).en).toContain("--precision bf16");
    const laptop = precisionAdvice(["AVX", "AVX2", "FMA"]);
    expect(laptop.en).toContain("--precision q8");
    expect(laptop.ko).toContain("--precision q8");
    expect(laptop.en).not.toContain("bf16");
    expect(precisionAdvice(["NEON", "DOTPROD"])).toEqual({ en: "", ko: "" });
  });
});
