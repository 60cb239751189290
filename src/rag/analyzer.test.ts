import { describe, expect, it } from "vitest";
import { analyze, hangulBigrams, splitWords } from "./analyzer.js";
import { stripKoreanSuffixes } from "./korean-suffixes.js";

describe("splitWords", () => {
  it("splits at script changes and punctuation, lower-cases", () => {
    expect(splitWords("1년간 80퍼센트, BM25와 RAG!")).toEqual(["1", "년간", "80", "퍼센트", "bm", "25", "와", "rag"]);
  });
  it("composes decomposed Hangul (NFD jamo) into syllables first", () => {
    const nfd = "휴가".normalize("NFD");
    expect(nfd.length).toBe(4); // ㅎ ㅠ ㄱ ㅏ
    expect(splitWords(nfd)).toEqual(["휴가"]);
  });
});

describe("hangulBigrams", () => {
  it("gives overlapping syllable pairs", () => {
    expect(hangulBigrams("유급휴가")).toEqual(["유급", "급휴", "휴가"]);
    expect(hangulBigrams("법")).toEqual(["법"]);
  });
});

describe("stripKoreanSuffixes", () => {
  it.each([
    ["휴가는", "휴가"],
    ["근로자에게", "근로자"],
    ["사용자로부터", "사용자"],
    ["며칠인가", "며칠"],
    ["임차인의", "임차인"],
    // two syllables: a trailing 가/도 is part of the noun, not a particle
    ["국가", "국가"],
    ["정도", "정도"],
  ])("%s -> %s", (word, stem) => expect(stripKoreanSuffixes(word)).toBe(stem));
});

describe("analyze", () => {
  it("bigram: Hangul words become bigrams, other words stay whole", () => {
    expect(analyze("연차 유급휴가는 15일", "bigram")).toEqual(["연차", "유급", "급휴", "휴가", "가는", "15", "일"]);
  });
  it("morph: word and stem", () => {
    expect(analyze("유급휴가는 15일", "morph")).toEqual(["유급휴가는", "유급휴가", "15", "일"]);
  });
  it("morph+bigram: word, stem and bigrams without counting a two-syllable word twice", () => {
    expect(analyze("연차 휴가는", "morph+bigram")).toEqual(["연차", "휴가는", "휴가", "휴가", "가는"]);
  });
});
