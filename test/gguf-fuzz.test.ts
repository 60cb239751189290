// Fuzzes the GGUF reader with >= 10,000 mutated and truncated variants of stories260K.gguf (seeded, so a failure
// replays): each variant must parse or throw GgufFormatError; any other exception, or a hang, fails the suite.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgufFormatError } from "../src/errors.js";
import { parseGguf, readGguf } from "../src/formats/gguf/index.js";
import { seededRandom } from "../src/engine/random.js";

const PATH = new URL("../models/stories260K.gguf", import.meta.url).pathname;
const ORIGINAL = readFileSync(PATH);
const HEADER_END = readGguf(PATH).dataOffset;

/** The project's seeded generator (mulberry32) with integer and pick helpers. */
function prng(seed: number) {
  const next = seededRandom(seed);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

/**
 * Offsets of the length, count, type, dimension and offset fields of the original header, found by searching the
 * length-prefixed names (independent of the reader): the fields a lying file would most likely corrupt.
 */
function structuralFields(): { at: number; size: 4 | 8 }[] {
  const fields: { at: number; size: 4 | 8 }[] = [{ at: 4, size: 4 }, { at: 8, size: 8 }, { at: 16, size: 8 }];
  const g = readGguf(PATH);
  const find = (name: string) => {
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(name)));
    return ORIGINAL.subarray(0, HEADER_END).indexOf(Buffer.concat([prefix, Buffer.from(name)]));
  };
  for (const [key, value] of g.metadata) {
    const at = find(key);
    const typeAt = at + 8 + Buffer.byteLength(key);
    fields.push({ at, size: 8 }, { at: typeAt, size: 4 });
    if (value.type === "array") fields.push({ at: typeAt + 4, size: 4 }, { at: typeAt + 8, size: 8 });
    else if (value.type === "string") fields.push({ at: typeAt + 4, size: 8 });
  }
  for (const t of g.tensors) {
    const at = find(t.name);
    const dims = at + 8 + Buffer.byteLength(t.name);
    fields.push({ at, size: 8 }, { at: dims, size: 4 });
    t.ne.forEach((_, d) => fields.push({ at: dims + 4 + 8 * d, size: 8 }));
    const typeAt = dims + 4 + 8 * t.ne.length;
    fields.push({ at: typeAt, size: 4 }, { at: typeAt + 4, size: 8 });
  }
  return fields;
}

const EXTREMES_64 = [0n, 1n, 2n, 5n, 31n, 32n, 33n, 63n, 64n, 2n ** 31n - 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 32n];
const EXTREMES_32 = [0, 1, 2, 3, 4, 5, 8, 9, 12, 13, 29, 31, 39, 43, 255, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe];

type Mutation = (rng: ReturnType<typeof prng>) => Uint8Array;

/**
 * In-place mutations edit one working copy and undo their edits after the parse, instead of copying the 1.2 MB file
 * per variant (which would dominate the test's time).
 */
const WORK = Buffer.from(ORIGINAL);
const edits: number[] = [];
function edit(at: number, size = 1): void {
  for (let i = at; i < Math.min(WORK.length, at + size); i++) edits.push(i);
}
function undoEdits(): void {
  for (const i of edits) WORK[i] = ORIGINAL[i]!;
  edits.length = 0;
}

/** Picks a position, mostly inside the header (where the parser looks), sometimes anywhere. */
const position = (rng: ReturnType<typeof prng>, length: number) => (rng.next() < 0.85 ? rng.int(Math.min(HEADER_END, length)) : rng.int(length));

function mutations(fields: { at: number; size: 4 | 8 }[]): Record<string, { count: number; make: Mutation }> {
  return {
    "bit flips": {
      count: 3000,
      make: (rng) => {
        for (let k = 1 + rng.int(8); k > 0; k--) {
          const at = position(rng, WORK.length);
          edit(at);
          WORK[at] = WORK[at]! ^ (1 << rng.int(8));
        }
        return WORK;
      },
    },
    "random byte overwrites": {
      count: 1000,
      make: (rng) => {
        const at = position(rng, WORK.length);
        const n = 1 + rng.int(16);
        edit(at, n);
        for (let i = at; i < Math.min(WORK.length, at + n); i++) WORK[i] = rng.int(256);
        return WORK;
      },
    },
    "extreme values in count, length, type, dimension and offset fields": {
      count: 2500,
      make: (rng) => {
        for (let k = 1 + (rng.next() < 0.2 ? rng.int(3) : 0); k > 0; k--) {
          const f = rng.pick(fields);
          edit(f.at, f.size);
          if (f.size === 8) WORK.writeBigUInt64LE(rng.pick(EXTREMES_64), f.at);
          else WORK.writeUInt32LE(rng.pick(EXTREMES_32), f.at);
        }
        return WORK;
      },
    },
    "inserted bytes": {
      count: 1000,
      make: (rng) => {
        const at = position(rng, ORIGINAL.length);
        const extra = Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)));
        return Buffer.concat([ORIGINAL.subarray(0, at), extra, ORIGINAL.subarray(at)]);
      },
    },
    "deleted bytes": {
      count: 1000,
      make: (rng) => {
        const at = position(rng, ORIGINAL.length);
        return Buffer.concat([ORIGINAL.subarray(0, at), ORIGINAL.subarray(Math.min(ORIGINAL.length, at + 1 + rng.int(16)))]);
      },
    },
    truncations: {
      count: 2000,
      // Views, not copies: truncation is the most common damage (an interrupted download).
      make: (rng) => ORIGINAL.subarray(0, rng.next() < 0.8 ? rng.int(HEADER_END + 64) : rng.int(ORIGINAL.length)),
    },
  };
}

describe("GGUF reader fuzz (stories260K.gguf)", () => {
  it("parses or throws GgufFormatError for 10,500 mutated and truncated variants", () => {
    const rng = prng(0x5eed2024);
    const outcomes: Record<string, { parsed: number; rejected: number }> = {};
    let total = 0;
    for (const [kind, { count, make }] of Object.entries(mutations(structuralFields()))) {
      const o = (outcomes[kind] = { parsed: 0, rejected: 0 });
      for (let i = 0; i < count; i++) {
        const bytes = make(rng);
        total++;
        try {
          const g = parseGguf(bytes, `${kind} #${i}`);
          // Whatever parsed must be self-consistent: every tensor's data lies inside the buffer and is readable.
          for (const t of g.tensors) {
            if (t.offset + t.byteLength > bytes.length || t.offset % g.alignment !== 0) throw new Error(`${kind} #${i}: tensor ${t.name} out of bounds`);
          }
          if (g.tensors.length > 0) g.readTensorData(g.tensors[g.tensors.length - 1]!);
          o.parsed++;
        } catch (e) {
          if (!(e instanceof GgufFormatError)) {
            throw new Error(`${kind} #${i} (seed 0x5eed2024) threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
          }
          o.rejected++;
        } finally {
          undoEdits();
        }
      }
    }
    expect(total).toBeGreaterThanOrEqual(10_000);
    // The mutations must actually bite: most variants of each kind that touches the header are rejected.
    for (const kind of ["extreme values in count, length, type, dimension and offset fields", "inserted bytes", "deleted bytes", "truncations"]) {
      expect(outcomes[kind]!.rejected, kind).toBeGreaterThan(outcomes[kind]!.parsed);
    }
  }, 60_000);
});
