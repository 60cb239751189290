// Normalisation, encoding detection and language detection against hand-built inputs.
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { DataInputError } from "../errors.js";
import { decodeText } from "./decode.js";
import { detectLang } from "./lang.js";
import { normalizeText } from "./normalize.js";

describe("normalizeText", () => {
  it("composes decomposed Hangul jamo into syllables (NFC)", () => {
    const decomposed = "\u1112\u1161\u11ab\u1100\u1173\u11af"; // 한글 as conjoining jamo (macOS file names)
    expect(normalizeText(decomposed)).toBe("한글");
  });
  it("unifies line endings, drops control and zero-width characters, collapses spaces and blank lines", () => {
    expect(normalizeText("a\r\nb\rc\u200Bd\u0007e\u00A0\u3000f  g \n\n\n\nh\uFEFF")).toBe("a\nb\ncde f g\n\nh");
  });
});

describe("decodeText", () => {
  const ko = "근로기준법 제60조(연차 유급휴가)";
  it("reads UTF-8 with and without BOM", () => {
    expect(decodeText(Buffer.from(ko), "a.txt")).toEqual({ text: ko, encoding: "utf-8" });
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ko)]), "a.txt").text).toBe(ko);
  });
  it("reads UTF-16 LE and BE by their BOM", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ko, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(le, "a.txt")).toEqual({ text: ko, encoding: "utf-16le" });
    expect(decodeText(be, "a.txt")).toEqual({ text: ko, encoding: "utf-16be" });
  });
  it("detects CP949 / EUC-KR in older Korean files", () => {
    const text = "이 법은 헌법에 따라 근로조건의 기준을 정함으로써 근로자의 기본적 생활을 보장, 향상시키며 균형 있는 국민경제의 발전을 꾀하는 것을 목적으로 한다.";
    const bytes = iconv.encode(text, "cp949");
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow();
    expect(decodeText(bytes, "old.txt")).toEqual({ text, encoding: "cp949" });
  });
  it("refuses binary and empty files with named errors", () => {
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]);
    expect(() => decodeText(binary, "a.out")).toThrow(DataInputError);
    expect(() => decodeText(binary, "a.out")).toThrow(/binary/);
    expect(() => decodeText(Buffer.from(" \n\t "), "blank.txt")).toThrow(/empty/);
    try {
      decodeText(Buffer.alloc(0), "empty.txt");
    } catch (error) {
      expect((error as DataInputError).reason).toBe("empty");
      expect((error as DataInputError).ko).toMatch(/비어 있습니다/);
    }
  });
});

describe("detectLang", () => {
  it("tells Korean, English and other scripts apart", () => {
    expect(detectLang("근로기준법은 근로조건의 기준을 정한다. (Labor Standards Act)")).toBe("ko");
    expect(detectLang("Once upon a time, there was a little girl named Lily.")).toBe("en");
    expect(detectLang("Жили-были дед да баба.")).toBe("other");
    expect(detectLang("12345 !!!")).toBe("other");
  });
});
