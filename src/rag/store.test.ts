import { describe, expect, it } from "vitest";
import { rankHits, selectiveTerms } from "./store.js";

describe("selectiveTerms", () => {
  it("drops terms found in half the chunks or more (their BM25 idf is floored), keeps the rest", () => {
    const df = new Map([["근로", 50], ["연차", 3], ["하는", 80]]);
    expect(selectiveTerms(["근로", "연차", "하는", "없는말"], df, 100)).toEqual(["연차", "없는말"]);
    expect(selectiveTerms(["근로"], new Map([["근로", 49]]), 100)).toEqual(["근로"]);
  });
  it("keeps every term when all are common, so a query never goes empty", () => {
    expect(selectiveTerms(["근로", "하는"], new Map([["근로", 60], ["하는", 90]]), 100)).toEqual(["근로", "하는"]);
  });
});

describe("rankHits", () => {
  it("sorts by score, then chunk id, and cuts at k", () => {
    const hits = [{ chunkId: "b", score: 1 }, { chunkId: "a", score: 1 }, { chunkId: "c", score: 2 }];
    expect(rankHits(hits, 2).map((h) => h.chunkId)).toEqual(["c", "a"]);
  });
});
