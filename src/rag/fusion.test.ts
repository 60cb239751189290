import { describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "./fusion.js";

describe("reciprocalRankFusion", () => {
  it("sums 1/(k + rank) over the rankings", () => {
    const lexical = [{ chunkId: "a", score: 9 }, { chunkId: "b", score: 5 }];
    const dense = [{ chunkId: "b", score: 0.9 }, { chunkId: "c", score: 0.8 }];
    const fused = reciprocalRankFusion([lexical, dense], 10, 60);
    // b: 1/62 + 1/61; a: 1/61; c: 1/62
    expect(fused.map((h) => h.chunkId)).toEqual(["b", "a", "c"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 15);
    expect(fused[2]!.score).toBeCloseTo(1 / 62, 15);
  });
  it("breaks ties by chunk id and cuts at the limit", () => {
    const fused = reciprocalRankFusion([[{ chunkId: "z", score: 1 }], [{ chunkId: "m", score: 1 }]], 1);
    expect(fused).toEqual([{ chunkId: "m", score: 1 / 61 }]);
  });
});
