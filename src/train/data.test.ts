import { describe, expect, it } from "vitest";
import { seededRandom } from "../engine/random.js";
import { epochOrder, fillSequence, sequenceCount, type TokenStream } from "./data.js";

describe("sequence packing", () => {
  it("cuts a stream into overlapping-by-one sequences and drops the tail", () => {
    // 11 tokens, T = 4: sequences [0..4], [4..8]; token 9, 10 left over ((11 - 1) / 4 = 2).
    expect(sequenceCount(11, 4)).toBe(2);
    expect(sequenceCount(1, 4)).toBe(0);
    const stream: TokenStream = { tokens: Int32Array.from({ length: 11 }, (_, i) => 100 + i), mask: Uint8Array.from({ length: 11 }, (_, i) => (i === 6 ? 0 : 1)), documents: 1, sources: [] };
    const tokens = new Int32Array(8);
    const targets = new Int32Array(8);
    const mask = new Float32Array(8);
    fillSequence(stream, 1, 4, tokens, targets, mask, 1);
    expect([...tokens.slice(4)]).toEqual([104, 105, 106, 107]);
    expect([...targets.slice(4)]).toEqual([105, 106, 107, 108]);
    // the target 106 (stream position 6) is masked out
    expect([...mask.slice(4)]).toEqual([1, 0, 1, 1]);
  });
  it("orders each epoch by a seeded permutation", () => {
    const a = epochOrder(10, 42, 0, seededRandom);
    expect([...a].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochOrder(10, 42, 0, seededRandom)).toEqual(a);
    expect(epochOrder(10, 42, 1, seededRandom)).not.toEqual(a);
  });
});
