import { describe, expect, it } from "vitest";
import { ndcgAtK, recallAtK, reciprocalRank } from "./metrics.js";

const relevant = new Set(["a", "b"]);

describe("retrieval metrics (values worked out by hand)", () => {
  it("recall@k counts relevant items in the first k", () => {
    expect(recallAtK(["x", "a", "y", "b"], relevant, 2)).toBe(0.5);
    expect(recallAtK(["x", "a", "y", "b"], relevant, 4)).toBe(1);
    expect(recallAtK(["x"], new Set(), 1)).toBe(0);
  });
  it("MRR is 1 / rank of the first relevant item", () => {
    expect(reciprocalRank(["x", "y", "b"], relevant)).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank(["x", "y"], relevant)).toBe(0);
  });
  it("nDCG@k: relevant at ranks 2 and 4 of 4, two relevant", () => {
    // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; ideal = 1 + 1/log2(3) = 1.63093
    expect(ndcgAtK(["x", "a", "y", "b"], relevant, 4)).toBeCloseTo((0.6309297536 + 0.4306765581) / 1.6309297536, 9);
    expect(ndcgAtK(["a", "b"], relevant, 2)).toBe(1);
  });
});
