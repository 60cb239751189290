// The disk-spilled duplicate search takes the same decisions as the in-memory references: LshIndex fed the same
// texts in the same order (near duplicates), a Map of keys in index order (exact duplicates).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NO_DUPLICATE, firstOccurrences } from "./exact-dedup.js";
import { EXACT_CHECK_MAX_SHINGLES, LshIndex, minhashSignature, shingleHashes, type NearDuplicate } from "./minhash.js";
import { findNearDuplicates } from "./near-dedup.js";
import { SignatureStore } from "./signature-store.js";
import { RecordFile } from "./spill.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-dedup-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const SYLLABLES = "가나다라마바사아자차카타파하근로기준법제조항호임금휴가".split("");
const text = (n: number, r: () => number) => Array.from({ length: n }, (_, i) => SYLLABLES[Math.floor(r() * SYLLABLES.length)]! + (i % 4 === 3 ? " " : "")).join("");
const mutate = (t: string, share: number, r: () => number) => Array.from(t).map((c) => (c !== " " && r() < share ? SYLLABLES[Math.floor(r() * SYLLABLES.length)]! : c)).join("");

/** Short (exact Jaccard) and long (signature estimate) originals, with copies changed by 0-4 % of characters, shuffled. */
function corpus(seed: number, count: number): string[] {
  const r = rng(seed);
  const originals = Array.from({ length: count }, (_, i) => text(i % 3 === 0 ? 60 + Math.floor(r() * 150) : 300 + Math.floor(r() * 900), r));
  const all = [...originals];
  for (let i = 0; i < count; i++) if (r() < 0.6) all.push(mutate(originals[Math.floor(r() * count)]!, r() * 0.04, r));
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

describe("findNearDuplicates", () => {
  const texts = corpus(11, 240);
  const r = rng(5);
  // Ranks as for chunks in splits (-1: left out, e.g. an exact duplicate).
  const ranks = texts.map(() => (r() < 0.1 ? -1 : r() < 0.8 ? 0 : r() < 0.5 ? 1 : 2));
  const store = new SignatureStore(path.join(dir, "near"));
  texts.forEach((t, i) => {
    const sh = shingleHashes(t);
    store.add(minhashSignature(sh), sh, i * 7);
  });
  store.finish();
  afterAll(() => store.close());

  const reference = (threshold: number) => {
    const index = new LshIndex(threshold);
    const out: Array<[number, NearDuplicate]> = [];
    for (let rank = 0; rank < 3; rank++) {
      texts.forEach((t, i) => {
        if (ranks[i] !== rank) return;
        const sh = shingleHashes(t);
        const short = sh.length <= EXACT_CHECK_MAX_SHINGLES ? sh : undefined;
        const hit = index.query(minhashSignature(sh), short);
        if (hit) out.push([i, hit]);
        else index.add(i, minhashSignature(sh), short);
      });
    }
    return out;
  };

  it("finds the same duplicates, of the same kept texts, with the same Jaccard, as an in-memory LSH index", () => {
    for (const threshold of [0.8, 0.5]) {
      const expected = reference(threshold);
      expect(expected.length).toBeGreaterThan(40);
      // Both decision paths occur: short pairs compared exactly, long ones by signature.
      expect(expected.some(([i]) => shingleHashes(texts[i]!).length <= EXACT_CHECK_MAX_SHINGLES)).toBe(true);
      expect(expected.some(([i]) => shingleHashes(texts[i]!).length > EXACT_CHECK_MAX_SHINGLES)).toBe(true);
      // One band per scan (tiny key budget) and all bands in one scan must agree.
      for (const keyBudget of [undefined, 300]) {
        const got: Array<[number, NearDuplicate]> = [];
        const progress: number[] = [];
        const n = findNearDuplicates(store, { threshold, ranks: 3, rankOf: (i) => ranks[i]!, keyBudget, onProgress: (done, total) => progress.push(done / total) }, (i, d) => got.push([i, d]));
        expect(got).toEqual(expected);
        expect(n).toBe(expected.length);
        expect(progress.at(-1)).toBe(1);
      }
    }
  });

  it("reads back signatures, short shingle sets and tags", () => {
    const i = texts.findIndex((t) => shingleHashes(t).length <= EXACT_CHECK_MAX_SHINGLES);
    const j = texts.findIndex((t) => shingleHashes(t).length > EXACT_CHECK_MAX_SHINGLES);
    expect(store.get(i)).toEqual({ signature: minhashSignature(shingleHashes(texts[i]!)), shingles: shingleHashes(texts[i]!), tag: i * 7 });
    expect(store.get(j)).toEqual({ signature: minhashSignature(shingleHashes(texts[j]!)), tag: j * 7 });
    expect([...store.tags()]).toEqual(texts.map((_, k) => k * 7));
  });
});

describe("firstOccurrences", () => {
  it("points every later copy of a key at the first eligible record, whatever the number of partitions", () => {
    const r = rng(3);
    const file = new RecordFile(path.join(dir, "keys.bin"), 12);
    const keys: string[] = [];
    const record = Buffer.alloc(12);
    for (let i = 0; i < 5000; i++) {
      // 600 distinct keys (8 random bytes each) so that most records repeat one.
      const k = Math.floor(r() * 600);
      record.writeUInt32LE(Math.imul(k + 1, 0x9e3779b1) >>> 0, 4);
      record.writeUInt32LE(Math.imul(k + 7, 0x85ebca6b) >>> 0, 8);
      record.writeUInt32LE(i, 0);
      keys.push(record.toString("hex", 4, 12));
      file.append(record);
    }
    file.finish();
    const eligible = (i: number) => i % 5 !== 2;
    const seen = new Map<string, number>();
    const expected = keys.map((k, i) => {
      if (!eligible(i)) return NO_DUPLICATE;
      const first = seen.get(k);
      if (first === undefined) seen.set(k, i);
      return first ?? NO_DUPLICATE;
    });
    expect(expected.filter((x) => x !== NO_DUPLICATE).length).toBeGreaterThan(3000);
    for (const partitionKeys of [undefined, 1000, 97]) expect([...firstOccurrences(file, 4, eligible, undefined, partitionKeys)]).toEqual(expected);
    file.close();
  });
});
