// MinHash estimates against exact Jaccard, and LSH recall on planted near-duplicates.
import { describe, expect, it } from "vitest";
import { estimateJaccard, exactJaccard, LshIndex, minhashSignature, shingleHashes } from "./minhash.js";
import { createHash } from "node:crypto";
import { assignSplits, heldOutCounts, splitIndexes } from "./split.js";

// A deterministic pseudo-random Korean text generator (syllables from a fixed list) so tests never flake.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const SYLLABLES = "가나다라마바사아자차카타파하근로기준법제조항호임금휴가사용자계약".split("");
function koreanText(n: number, r: () => number): string {
  return Array.from({ length: n }, (_, i) => SYLLABLES[Math.floor(r() * SYLLABLES.length)]! + (i % 5 === 4 ? " " : "")).join("");
}
/** Replaces a share of the characters at random positions: a planted near-duplicate. */
function mutate(text: string, share: number, r: () => number): string {
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) if (chars[i] !== " " && r() < share) chars[i] = SYLLABLES[Math.floor(r() * SYLLABLES.length)]!;
  return chars.join("");
}

describe("MinHash", () => {
  it("estimates Jaccard within 0.1 of the exact value on long texts", () => {
    const r = rng(1);
    for (const share of [0, 0.01, 0.03, 0.1, 0.3]) {
      const a = koreanText(2000, r);
      const b = mutate(a, share, r);
      const sa = shingleHashes(a);
      const sb = shingleHashes(b);
      expect(Math.abs(estimateJaccard(minhashSignature(sa), minhashSignature(sb)) - exactJaccard(sa, sb))).toBeLessThan(0.1);
    }
  });
  it("ignores whitespace differences", () => {
    expect(exactJaccard(shingleHashes("근로 기준 법 제60조"), shingleHashes("근로기준법  제60 조"))).toBe(1);
  });
  it("finds planted near-duplicates (J >= 0.8) and no false pair among unrelated texts", () => {
    const r = rng(7);
    const index = new LshIndex(0.8);
    const originals = Array.from({ length: 200 }, () => koreanText(600, r));
    originals.forEach((t, i) => {
      const sh = shingleHashes(t);
      expect(index.query(minhashSignature(sh), sh)).toBeUndefined();
      index.add(i, minhashSignature(sh));
    });
    let planted = 0;
    let found = 0;
    for (let i = 0; i < 100; i++) {
      const copy = mutate(originals[i]!, 0.01, r);
      const sh = shingleHashes(copy);
      const truth = exactJaccard(sh, shingleHashes(originals[i]!));
      if (truth < 0.85) continue;
      planted++;
      const hit = index.query(minhashSignature(sh), sh);
      if (hit?.of === i) found++;
    }
    expect(planted).toBeGreaterThan(50);
    // LSH 16x8 finds a J=0.85 pair with probability >= 0.99; allow a couple of misses.
    expect(found).toBeGreaterThanOrEqual(planted - 2);
  });
  it("checks short texts exactly", () => {
    const index = new LshIndex(0.8);
    const a = shingleHashes("근로자가 1년간 80퍼센트 이상 출근하면 사용자는 15일의 유급휴가를 주어야 합니다. 연차휴가는 근로자의 권리입니다.");
    index.add(0, minhashSignature(a), a);
    const same = shingleHashes("근로자가 1년간 80퍼센트 이상 출근하면 사용자는 16일의 유급휴가를 주어야 합니다. 연차휴가는 근로자의 권리입니다.");
    expect(exactJaccard(a, same)).toBeGreaterThan(0.8);
    // ChatbotData's paraphrase pairs are below the threshold: they stay (and are split by sample, not leaked as copies).
    const other = shingleHashes("3박4일 정도 놀러가고 싶다 여행은 언제나 좋죠.");
    index.add(1, minhashSignature(shingleHashes("3박4일 놀러가고 싶다 여행은 언제나 좋죠.")), shingleHashes("3박4일 놀러가고 싶다 여행은 언제나 좋죠."));
    expect(index.query(minhashSignature(same), same)).toEqual({ of: 0, jaccard: exactJaccard(a, same) });
    expect(exactJaccard(shingleHashes("3박4일 놀러가고 싶다 여행은 언제나 좋죠."), other)).toBeLessThan(0.8);
    expect(index.query(minhashSignature(other), other)).toBeUndefined();
  });
});

describe("splits", () => {
  it("holds out at least one document each once there are three", () => {
    expect(heldOutCounts(1, { val: 0.05, test: 0.05 })).toEqual({ val: 0, test: 0 });
    expect(heldOutCounts(3, { val: 0.05, test: 0.05 })).toEqual({ val: 1, test: 1 });
    expect(heldOutCounts(1000, { val: 0.05, test: 0.1 })).toEqual({ val: 50, test: 100 });
    expect(heldOutCounts(1000, { val: 0, test: 0 })).toEqual({ val: 0, test: 0 });
  });
  it("is seeded, independent of input order, and assigns each document once", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `doc${i}`);
    const a = assignSplits(ids, { val: 0.1, test: 0.1 }, 42);
    const b = assignSplits([...ids].reverse(), { val: 0.1, test: 0.1 }, 42);
    const c = assignSplits(ids, { val: 0.1, test: 0.1 }, 43);
    expect([...a].sort()).toEqual([...b].sort());
    expect([...a.values()].filter((s) => s === "val")).toHaveLength(10);
    expect([...a.values()].filter((s) => s === "test")).toHaveLength(10);
    expect(ids.some((id) => a.get(id) !== c.get(id))).toBe(true);
  });
  it("ranks by the full sha256(seed:id) hex key, an id listed twice counted once", () => {
    const ids = Array.from({ length: 500 }, (_, i) => `d${i % 430}`);
    const key = (id: string) => createHash("sha256").update(`7:${id}`).digest("hex");
    const ranked = [...new Set(ids)].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    const { val, test } = heldOutCounts(ranked.length, { val: 0.1, test: 0.05 });
    const expected = new Map(ranked.map((id, r) => [id, r < test ? 2 : r < test + val ? 1 : 0]));
    const got = splitIndexes(ids.length, (i) => ids[i]!, { val: 0.1, test: 0.05 }, 7);
    expect([...got]).toEqual(ids.map((id) => expected.get(id)));
    expect([...got].filter((x, i) => x === 1 && i < 430).length).toBe(43);
  });
});
