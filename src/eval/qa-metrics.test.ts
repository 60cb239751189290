// Tricky cases for SQuAD v1.1 and KorQuAD v1.0 EM/F1. Every expected value is derived by hand from the official
// scripts' rules (quoted in qa-metrics.ts); the derivation is in the comment beside each case.
import { describe, expect, it } from "vitest";
import {
  korquadExactMatch,
  korquadF1,
  korquadNormalize,
  qaAggregate,
  qaScore,
  qaStyleOf,
  squadExactMatch,
  squadF1,
  squadNormalize,
} from "./qa-metrics.js";

describe("SQuAD v1.1 normalize_answer", () => {
  it.each([
    // lower -> "the  eiffel tower." -> remove_punc "the  eiffel tower" -> articles " " -> split/join
    ["The  Eiffel Tower.", "eiffel tower"],
    // "a.m." -> punctuation goes first -> "am", which is not an article
    ["a.m.", "am"],
    // "an apple a day" -> all three articles become spaces -> "apple day"
    ["an apple a day", "apple day"],
    // "theater" has no word boundary after "the": only the leading article goes
    ["the theater", "theater"],
    // "U.S.A." -> "usa"
    ["U.S.A.", "usa"],
    // hyphen is string.punctuation and goes before article removal: "a-b" -> "ab"
    ["A-B", "ab"],
    // "the-end" -> "theend": no article once the hyphen is gone
    ["the-end", "theend"],
    // Python's \b is Unicode-aware: "é" is a word character, so the "a" of "éa" is not an article
    ["éa b", "éa b"],
    // ...but a standalone "a" after a non-ASCII word is: "é a b" -> "é   b" -> "é b"
    ["é a b", "é b"],
    // underscore is string.punctuation: "snake_case" -> "snakecase"
    ["snake_case", "snakecase"],
    // em dash and curly quotes are NOT in string.punctuation (ASCII only): they stay
    ["1914—1918", "1914—1918"],
    ["“Pip”", "“pip”"],
    // Korean double angle quotes are not ASCII punctuation either
    ["《토지》", "《토지》"],
    // Python whitespace: NBSP, ideographic space, U+0085 and U+001F all split; U+FEFF does not
    ["new\u00a0york", "new york"],
    ["서울\u3000특별시", "서울 특별시"],
    ["new\u0085york", "new york"],
    ["new\u001fyork", "new york"],
    ["new\ufeffyork", "new\ufeffyork"],
    // everything is an article or punctuation -> empty string
    ["The!", ""],
  ])("%j -> %j", (input, expected) => {
    expect(squadNormalize(input)).toBe(expected);
  });
});

describe("SQuAD v1.1 EM and F1", () => {
  it("articles, case and punctuation do not matter", () => {
    expect(squadExactMatch("The Eiffel Tower!", "eiffel tower")).toBe(1);
    expect(squadF1("The Eiffel Tower!", "eiffel tower")).toBe(1);
  });

  it("both sides empty after normalization: EM 1 but F1 0 (num_same == 0 returns 0 in v1.1)", () => {
    // "the" -> "" and "a" -> "": equal strings, but no shared tokens
    expect(squadExactMatch("the", "a")).toBe(1);
    expect(squadF1("the", "a")).toBe(0);
  });

  it("repeated tokens count with Counter intersection", () => {
    // pred "the cat the cat cat" -> [cat, cat, cat]; truth [cat, sat]; shared min(3,1)=1
    // P = 1/3, R = 1/2, F1 = 2*(1/6)/(5/6) = 0.4
    expect(squadF1("the cat the cat cat", "cat sat")).toBeCloseTo(0.4, 12);
  });

  it("hyphenated ranges collapse: '1914-1918' vs '1914 1918' shares nothing", () => {
    // "1914-1918" -> "19141918" (one token); truth has tokens 1914 and 1918
    expect(squadExactMatch("1914-1918", "1914 1918")).toBe(0);
    expect(squadF1("1914-1918", "1914 1918")).toBe(0);
  });

  it("accents are not stripped", () => {
    expect(squadExactMatch("café", "cafe")).toBe(0);
    expect(squadF1("café", "cafe")).toBe(0);
  });

  it("Korean under SQuAD's rules: tokens are whole eojeol, so particles cost the whole token", () => {
    // pred [이순신이] vs truth [이순신]: different tokens -> 0
    expect(squadF1("이순신이", "이순신")).toBe(0);
    // pred [이순신, 장군이] vs [이순신]: shared 1, P = 1/2, R = 1, F1 = 1/1.5 = 2/3
    expect(squadF1("이순신 장군이", "이순신")).toBeCloseTo(2 / 3, 12);
    // 《》 survive SQuAD's ASCII punctuation removal
    expect(squadExactMatch("《토지》", "토지")).toBe(0);
  });

  it("max over ground truths, EM and F1 taken separately", () => {
    // vs "Denver Broncos": shared {broncos}, P = 1/2, R = 1/2, F1 = 0.5
    // vs "Broncos": shared 1, P = 1/2, R = 1, F1 = 2/3; EM is 0 against both
    const s = qaScore("Broncos team", ["Denver Broncos", "Broncos"], "squad");
    expect(s.exactMatch).toBe(0);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
    const t = qaScore("the Denver Broncos", ["Broncos", "Denver Broncos!"], "squad");
    expect(t.exactMatch).toBe(1);
    expect(t.f1).toBe(1);
  });
});

describe("KorQuAD v1.0 normalize_answer", () => {
  it.each([
    // 《 》 become spaces, then whitespace is squeezed: "《토지》" -> " 토지 " -> "토지"
    ["《토지》", "토지"],
    // 〈 〉 ( ) ‘ ’ likewise
    ["〈님의 침묵〉(1926)", "님의 침묵 1926"],
    ["‘광장’", "광장"],
    // the apostrophe is replaced by a SPACE before remove_punc runs: "don't" -> "don t"
    ["don't", "don t"],
    // double curly quotes are not in remove_'s list nor ASCII: they stay
    ["“토지”", "“토지”"],
    // no article removal, lower-casing applies
    ["The Beatles", "the beatles"],
    // other ASCII punctuation is deleted (not spaced): "3.1절" -> "31절"
    ["3.1절", "31절"],
  ])("%j -> %j", (input, expected) => {
    expect(korquadNormalize(input)).toBe(expected);
  });
});

describe("KorQuAD v1.0 EM and character F1", () => {
  it("an attached particle costs only its characters", () => {
    // pred chars 서울특별시에서 (7): 서x2 울 특 별 시 에; truth 서울특별시 (5)
    // shared: 서 min(2,1)=1, 울 1, 특 1, 별 1, 시 1 = 5; P = 5/7, R = 1; F1 = (10/7)/(12/7) = 10/12
    expect(korquadExactMatch("서울특별시에서", "서울특별시")).toBe(0);
    expect(korquadF1("서울특별시에서", "서울특별시")).toBeCloseTo(10 / 12, 12);
    // 이순신이 (4 chars, 이 twice) vs 이순신 (3): shared 3, P = 3/4, R = 1, F1 = 1.5/1.75 = 6/7
    expect(korquadF1("이순신이", "이순신")).toBeCloseTo(6 / 7, 12);
  });

  it("spacing differences: EM 0 (strings differ) but F1 1 (same characters)", () => {
    // "대한 민국" vs "대한민국": normalized strings differ; character multisets are equal
    expect(korquadExactMatch("대한 민국", "대한민국")).toBe(0);
    expect(korquadF1("대한 민국", "대한민국")).toBe(1);
    // SQuAD's token F1 on the same pair: tokens [대한, 민국] vs [대한민국] share nothing
    expect(squadF1("대한 민국", "대한민국")).toBe(0);
  });

  it("brackets from remove_ vanish: EM 1 where SQuAD gives 0", () => {
    expect(korquadExactMatch("《토지》", "토지")).toBe(1);
    expect(korquadF1("《토지》", "토지")).toBe(1);
  });

  it("double curly quotes stay and count as characters", () => {
    // pred chars “ 토 지 ” (4) vs 토 지 (2): shared 2, P = 1/2, R = 1, F1 = 1/1.5 = 2/3
    expect(korquadExactMatch("“토지”", "토지")).toBe(0);
    expect(korquadF1("“토지”", "토지")).toBeCloseTo(2 / 3, 12);
  });

  it("articles are characters too", () => {
    // "the beatles" chars: t h e b e a t l e s (10; t2 e3 h1 b1 a1 l1 s1); "beatles": b e a t l e s (7; e2 t1)
    // shared: t 1, e 2, b 1, a 1, l 1, s 1 = 7; P = 7/10, R = 1; F1 = 1.4/1.7 = 14/17
    expect(korquadExactMatch("The Beatles", "Beatles")).toBe(0);
    expect(korquadF1("The Beatles", "Beatles")).toBeCloseTo(14 / 17, 12);
    // under SQuAD the article disappears
    expect(squadExactMatch("The Beatles", "Beatles")).toBe(1);
  });

  it("an apostrophe splits a token for EM but not for character F1", () => {
    // "don't" -> "don t" vs "dont": EM 0; characters d o n t on both sides: F1 1
    expect(korquadExactMatch("don't", "dont")).toBe(0);
    expect(korquadF1("don't", "dont")).toBe(1);
    // SQuAD deletes the apostrophe: "dont" == "dont"
    expect(squadExactMatch("don't", "dont")).toBe(1);
  });

  it("code points, not UTF-16 units: an astral character is one character", () => {
    // "𝐀b" lowercases to itself except b; chars [𝐀, b] vs [b]: shared 1, P = 1/2, R = 1, F1 = 2/3
    expect(korquadF1("𝐀b", "b")).toBeCloseTo(2 / 3, 12);
  });
});

describe("qaScore and qaAggregate", () => {
  it("auto decides from the question and context, never from the answers", () => {
    // KorQuAD's own dev set has Latin answers ("Timbaland", "USCF", "57 mm") to Korean questions
    expect(qaStyleOf("auto", "이 곡의 프로듀서는 누구인가?")).toBe("korquad");
    expect(qaStyleOf("auto", "Who produced it?", "이 곡은 팀벌랜드가 만들었다.")).toBe("korquad");
    expect(qaStyleOf("auto", "Who produced it?", "Timbaland produced it.")).toBe("squad");
    // NFD Hangul (conjoining jamo) is still Hangul
    expect(qaStyleOf("auto", "누구?".normalize("NFD"))).toBe("korquad");
    expect(qaStyleOf("squad", "누구?")).toBe("squad");
    expect(qaStyleOf("korquad", "Who?")).toBe("korquad");
    // "Timbaland가": KorQuAD chars [t,i,m,b,a,l,a,n,d,가] vs 9 chars: P = 9/10, R = 1, F1 = 18/19; SQuAD: no shared word
    expect(qaScore("Timbaland가", ["Timbaland"], "korquad").f1).toBeCloseTo(18 / 19, 12);
    expect(qaScore("Timbaland가", ["Timbaland"], "squad").f1).toBe(0);
    expect(qaScore("《토지》", ["토지"], "korquad").exactMatch).toBe(1);
  });

  it("aggregates as 100 x mean, unanswered questions count as zero", () => {
    // EM: (1 + 0) / 3 * 100 = 33.33...; F1: (1 + 0.5) / 3 * 100 = 50
    const agg = qaAggregate(
      [
        { exactMatch: 1, f1: 1, style: "squad" },
        { exactMatch: 0, f1: 0.5, style: "squad" },
      ],
      1,
    );
    expect(agg.exactMatch).toBeCloseTo(100 / 3, 12);
    expect(agg.f1).toBeCloseTo(50, 12);
    expect(agg.total).toBe(3);
  });

  it("refuses an empty list of truths (the official max() would fail too)", () => {
    expect(() => qaScore("x", [], "squad")).toThrow(RangeError);
  });
});
