// Retrieval metrics on a worked example (binary relevance).
import { describe, expect, it } from "vitest";
import { ndcgAtK, recallAtK, reciprocalRank, retrievalSummary } from "./retrieval-metrics.js";

// ranks: 1 d3, 2 d1 (relevant), 3 d7, 4 d2 (relevant), 5 d9; d5 is relevant but never retrieved
const q = { retrieved: ["d3", "d1", "d7", "d2", "d9"], relevant: ["d1", "d2", "d5"] };

describe("retrieval metrics", () => {
  it("recall@k counts relevant ids in the top k over all relevant ids", () => {
    expect(recallAtK(q, 1)).toBe(0); // d3 only
    expect(recallAtK(q, 3)).toBeCloseTo(1 / 3, 12); // d1
    expect(recallAtK(q, 5)).toBeCloseTo(2 / 3, 12); // d1, d2
  });

  it("reciprocal rank is 1 / rank of the first relevant id", () => {
    expect(reciprocalRank(q)).toBe(0.5);
    // a duplicate does not push a later id down: [d1, d1, d2] is [d1, d2]
    expect(reciprocalRank({ retrieved: ["d1", "d1", "d2"], relevant: ["d2"] })).toBe(0.5);
  });

  it("nDCG@k with binary gains", () => {
    // DCG@5 = 1/log2(3) + 1/log2(5) = 1.0616063; IDCG@5 (3 relevant) = 1 + 1/log2(3) + 1/log2(4) = 2.1309298
    expect(ndcgAtK(q, 5)).toBeCloseTo(0.4981892574664, 10);
    // DCG@2 = 1/log2(3); IDCG@2 = 1 + 1/log2(3): 0.3868528
    expect(ndcgAtK(q, 2)).toBeCloseTo(0.3868528072345, 10);
    // all relevant first is perfect
    expect(ndcgAtK({ retrieved: ["a", "b", "x"], relevant: ["b", "a"] }, 3)).toBe(1);
  });

  it("summary averages over queries (MRR = mean reciprocal rank)", () => {
    const s = retrievalSummary(
      [q, { retrieved: ["x", "y"], relevant: ["z"] }, { retrieved: ["z", "y"], relevant: ["z"] }],
      5,
    );
    // RR: 0.5, 0, 1 -> MRR 0.5; recall@5: 2/3, 0, 1 -> 5/9
    expect(s.mrr).toBeCloseTo(0.5, 12);
    expect(s.recallAtK).toBeCloseTo(5 / 9, 12);
    expect(s.queries).toBe(3);
    expect(() => retrievalSummary([q], 0)).toThrow(RangeError);
  });
});

describe("retrieval metrics as rag eval uses them (values worked out by hand)", () => {
  const relevant = ["a", "b"];
  it("recall@k counts relevant items in the first k", () => {
    expect(recallAtK({ retrieved: ["x", "a", "y", "b"], relevant }, 2)).toBe(0.5);
    expect(recallAtK({ retrieved: ["x", "a", "y", "b"], relevant }, 4)).toBe(1);
    expect(recallAtK({ retrieved: ["x"], relevant: [] }, 1)).toBe(0);
  });
  it("MRR is 1 / rank of the first relevant item", () => {
    expect(reciprocalRank({ retrieved: ["x", "y", "b"], relevant })).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank({ retrieved: ["x", "y"], relevant })).toBe(0);
  });
  it("nDCG@k: relevant at ranks 2 and 4 of 4, two relevant", () => {
    // DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; ideal = 1 + 1/log2(3) = 1.63093
    expect(ndcgAtK({ retrieved: ["x", "a", "y", "b"], relevant }, 4)).toBeCloseTo((0.6309297536 + 0.4306765581) / 1.6309297536, 9);
    expect(ndcgAtK({ retrieved: ["a", "b"], relevant }, 2)).toBe(1);
  });
});
