import { describe, expect, it } from "vitest";
import { decodePostings, encodePostings } from "./postings-codec.js";

describe("postings codec", () => {
  it("writes id gaps, term frequencies and lengths as LEB128 varints (bytes worked out by hand)", () => {
    // ids 3, 130 -> 3, gap 127; length 300 = 0b10_0101100 -> 0xac 0x02
    expect([...encodePostings([3, 130], [1, 2], [5, 300])]).toEqual([3, 1, 5, 0x7f, 2, 0xac, 0x02]);
  });

  it("round-trips large values and a slice of the arrays", () => {
    const ids = [0, 1, 2 ** 20, 2 ** 31 + 5, 2 ** 32 - 1];
    const tfs = [1, 128, 16384, 7, 2 ** 32 - 1];
    const lengths = [0, 1, 2 ** 21, 99, 3];
    expect(decodePostings(encodePostings(ids, tfs, lengths))).toEqual({ ids, tfs, lengths });
    expect(decodePostings(encodePostings(ids, tfs, lengths, 1, 3))).toEqual({ ids: ids.slice(1, 3), tfs: tfs.slice(1, 3), lengths: lengths.slice(1, 3) });
  });

  it("refuses ids out of order and values that do not fit", () => {
    expect(() => encodePostings([5, 5], [1, 1], [1, 1])).toThrow(/ascend/);
    expect(() => encodePostings([2 ** 32], [1], [1])).toThrow(/out of range/);
    expect(() => encodePostings([1], [-1], [1])).toThrow(/out of range/);
  });
});
