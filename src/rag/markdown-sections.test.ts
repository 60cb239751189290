import { describe, expect, it } from "vitest";
import { markdownToRecords, MAX_SECTION_CHARS } from "./markdown-sections.js";

const statute = `---
제목: 근로기준법
법령구분: 법률
---

# 근로기준법

## 제4장 근로시간과 휴식

##### 제60조 (연차 유급휴가)

**①** 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.

##### 제76조의2 (직장 내 괴롭힘의 금지)

사용자 또는 근로자는 직장에서의 지위 또는 관계 등의 우위를 이용하여 ...

## 제5장 여성과 소년

##### 제64조 (최저 연령과 취직인허증)

15세 미만인 사람은 근로자로 사용하지 못한다.
`;

describe("markdownToRecords", () => {
  const records = markdownToRecords(statute, "labor.md");

  it("makes one record per article with its chapter and a compact citation", () => {
    expect(records.map((r) => r.citation)).toEqual([
      "근로기준법 제60조(연차 유급휴가)",
      "근로기준법 제76조의2(직장 내 괴롭힘의 금지)",
      "근로기준법 제64조(최저 연령과 취직인허증)",
    ]);
    expect(records[0]!.headingPath).toEqual(["제4장 근로시간과 휴식", "제60조(연차 유급휴가)"]);
    expect(records[2]!.headingPath).toEqual(["제5장 여성과 소년", "제64조(최저 연령과 취직인허증)"]);
    expect(records[0]!.text).toBe("**①** 사용자는 1년간 80퍼센트 이상 출근한 근로자에게 15일의 유급휴가를 주어야 한다.");
  });

  it("gives stable ids under one document id and the source path", () => {
    expect(records.map((r) => r.id)).toEqual(records.map((r, i) => `${r.docId}#${i}`));
    expect(records.every((r) => r.source === "labor.md" && r.lang === "ko" && r.kind === "text")).toBe(true);
    expect(markdownToRecords(statute, "labor.md")[0]!.docId).toBe(records[0]!.docId);
  });

  it("cuts an over-long section at paragraph breaks", () => {
    // 1500 + 2 + 1500 fits in 4000, a third paragraph does not: two chunks.
    const para = "가".repeat(1500);
    const long = markdownToRecords(`# 문서\n\n## 절\n\n${para}\n\n${para}\n\n${para}\n`, "long.md");
    expect(long.length).toBe(2);
    expect(long.every((r) => r.text.length <= MAX_SECTION_CHARS && r.citation === "문서 절")).toBe(true);
  });
});
