// Sections, heading paths and citations of Markdown documents and Korean statutes (Markdown and plain text).
import { describe, expect, it } from "vitest";
import { chunkDocument, splitSection } from "./chunk.js";
import { citationFor, splitSections } from "./structure.js";
import { estimateCounter, estimateTokens } from "./tokenizer.js";

const statuteMd = `# 근로기준법

## 제4장 근로시간과 휴식

##### 제59조 (근로시간 및 휴게시간의 특례)

**①** 통계청장이 고시하는 산업에 관한 표준의 중분류 또는 소분류 중 다음 각 호의 어느 하나에 해당하는 사업.

##### 제60조 (연차 유급휴가)

**①** 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.

## 부칙

부칙 <제8372호,2007.4.11>

제1조 (시행일) 이 법은 공포한 날부터 시행한다.

\`\`\`
# not a heading
제2조 (코드) 코드 안의 줄
\`\`\`
`;

describe("splitSections", () => {
  it("follows Markdown headings and statute articles; the title heading is left out of the path", () => {
    const sections = splitSections(statuteMd, true, "근로기준법");
    expect(sections.map((s) => s.headingPath)).toEqual([
      ["제4장 근로시간과 휴식", "제59조(근로시간 및 휴게시간의 특례)"],
      ["제4장 근로시간과 휴식", "제60조(연차 유급휴가)"],
      ["부칙", "부칙 <제8372호,2007.4.11>", "제1조(시행일)"],
    ]);
    expect(sections[1]!.text).toBe("제60조(연차 유급휴가)\n\n**①** 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.");
    // Lines inside a fenced code block stay body text.
    expect(sections[2]!.text).toContain("# not a heading\n제2조 (코드) 코드 안의 줄");
  });
  it("finds statute structure in plain text (PDF, TXT) without Markdown", () => {
    const plain = "제1장 총칙\n제1조(목적) 이 법은 근로조건의 기준을 정한다.\n제2조에 따른 근로자는 이 조의 본문이다.\n제2조(정의) 이 법에서 사용하는 용어의 뜻은 다음과 같다.\n제3조 삭제 <2008.3.21>";
    const sections = splitSections(plain, false, "근로기준법");
    expect(sections.map((s) => s.headingPath)).toEqual([
      ["제1장 총칙", "제1조(목적)"],
      ["제1장 총칙", "제2조(정의)"],
      ["제1장 총칙", "제3조"],
    ]);
    expect(sections[0]!.text).toBe("제1조(목적) 이 법은 근로조건의 기준을 정한다.\n제2조에 따른 근로자는 이 조의 본문이다.");
  });
});

describe("citationFor", () => {
  it("cites statutes as the law does and other documents by title and headings", () => {
    expect(citationFor("근로기준법", ["제4장 근로시간과 휴식", "제60조(연차 유급휴가)"])).toBe("근로기준법 제60조(연차 유급휴가)");
    expect(citationFor("근로기준법", ["부칙", "부칙 <제8372호,2007.4.11>", "제1조(시행일)"])).toBe("근로기준법 부칙 <제8372호,2007.4.11> 제1조(시행일)");
    expect(citationFor("대한민국헌법", ["제1장 총강", "제1조"])).toBe("대한민국헌법 제1조");
    expect(citationFor("Guide", ["Install", "Linux"])).toBe("Guide › Install › Linux");
  });
});

describe("chunking", () => {
  it("keeps a short article whole and cuts a long one within the budget, with overlap", () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `문장 ${i + 1}번은 근로자의 권리에 관한 설명이다.`);
    const long = `제60조(연차 유급휴가)\n\n${sentences.join(" ")}`;
    const doc = `# 근로기준법\n\n##### 제1조 (목적)\n\n이 법은 근로조건의 기준을 정한다.\n\n##### 제60조 (연차 유급휴가)\n\n${sentences.join(" ")}`;
    const chunks = chunkDocument(doc, true, "근로기준법", estimateCounter, { maxTokens: 60, overlapTokens: 20 });
    expect(chunks[0]).toMatchObject({ text: "제1조(목적)\n\n이 법은 근로조건의 기준을 정한다.", citation: "근로기준법 제1조(목적)", part: 0 });
    const article = chunks.slice(1);
    expect(article.length).toBeGreaterThan(3);
    expect(article[0]!.text.startsWith("제60조(연차 유급휴가)")).toBe(true);
    for (const [i, c] of article.entries()) {
      expect(c.part).toBe(i);
      expect(c.citation).toBe("근로기준법 제60조(연차 유급휴가)");
      expect(c.tokens).toBe(estimateTokens(c.text));
      expect(c.tokens).toBeLessThanOrEqual(60);
    }
    // Every sentence survives, and consecutive chunks share their boundary sentence (the overlap).
    for (const s of sentences) expect(article.some((c) => c.text.includes(s))).toBe(true);
    for (let i = 1; i < article.length; i++) {
      const firstSentence = article[i]!.text.split(/(?<=\.)\s/)[0]!;
      expect(article[i - 1]!.text.includes(firstSentence)).toBe(true);
    }
    expect(splitSection(long, estimateCounter, { maxTokens: 1000, overlapTokens: 0 })).toHaveLength(1);
  });
  it("cuts text with no separators by characters without exceeding the budget", () => {
    const pieces = splitSection("가".repeat(250), estimateCounter, { maxTokens: 100, overlapTokens: 0 });
    expect(pieces.map((p) => p.tokens)).toEqual([100, 100, 50]);
    expect(pieces.map((p) => p.text).join("")).toBe("가".repeat(250));
  });
});
