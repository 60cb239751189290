import { describe, expect, it } from "vitest";
import { Bm25Accumulator, bm25Idf, kthLargest } from "./bm25.js";
import { encodePostings } from "./postings-codec.js";

describe("bm25Idf", () => {
  it("is ln((N - n + 0.5) / (n + 0.5)), floored at 1e-6", () => {
    expect(bm25Idf(100, 9)).toBeCloseTo(Math.log(91.5 / 9.5), 15);
    expect(bm25Idf(100, 50)).toBe(1e-6);
    expect(bm25Idf(100, 80)).toBe(1e-6);
  });
});

describe("Bm25Accumulator", () => {
  it("sums k1 = 1.2, b = 0.75 contributions per chunk (values worked out by hand)", () => {
    const acc = new Bm25Accumulator();
    acc.reset(10);
    // idf 2, tf 1, length = average: 2 * 2.2 / (1 + 1.2) = 2
    acc.addBlock(encodePostings([4], [1], [10]), 2, 10);
    // idf 1, tf 3, length twice the average: 3 * 2.2 / (3 + 1.2 * (0.25 + 1.5)) = 6.6 / 5.1
    acc.addBlock(encodePostings([4, 7], [3, 3], [20, 20]), 1, 10);
    const best = acc.best(5);
    expect(best.map((h) => h.id)).toEqual([4, 7]);
    expect(best[0]!.score).toBeCloseTo(2 + 6.6 / 5.1, 12);
    expect(best[1]!.score).toBeCloseTo(6.6 / 5.1, 12);
  });

  it("decodes multi-byte gaps, term frequencies and lengths while scoring", () => {
    const acc = new Bm25Accumulator();
    acc.reset(400000);
    const ids = [5, 70000, 300000];
    const tfs = [1, 20000, 2];
    const lengths = [300, 1, 5000000];
    acc.addBlock(encodePostings(ids, tfs, lengths), 1.5, 1000);
    const want = ids.map((id, i) => ({ id, score: (1.5 * tfs[i]! * 2.2) / (tfs[i]! + 1.2 * (0.25 + (0.75 * lengths[i]!) / 1000)) }));
    const got = acc.best(3).sort((a, b) => a.id - b.id);
    expect(got.map((h) => h.id)).toEqual(ids);
    got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 12));
  });

  it("keeps every chunk tied with the k-th best, and starts each query from zero", () => {
    const acc = new Bm25Accumulator();
    acc.reset(5);
    acc.addBlock(encodePostings([1, 2, 3, 4], [2, 1, 1, 1], [1, 1, 1, 1]), 1, 1);
    expect(acc.best(2).map((h) => h.id)).toEqual([1, 2, 3, 4]);
    expect(acc.best(1).map((h) => h.id)).toEqual([1]);
    acc.reset(20);
    expect(acc.best(3)).toEqual([]);
    acc.addBlock(encodePostings([15], [1], [300]), 1, 1);
    expect(acc.best(3).map((h) => h.id)).toEqual([15]);
  });
});

describe("kthLargest", () => {
  it("agrees with sorting", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const scores = Float64Array.from({ length: 500 }, () => Math.floor(rand() * 50));
    const ids = Array.from({ length: 500 }, (_, i) => i);
    const sorted = [...scores].sort((a, b) => b - a);
    for (const k of [1, 2, 5, 37, 500, 900]) expect(kthLargest(ids, scores, k)).toBe(sorted[Math.min(k, 500) - 1]);
  });
});
