// Fuzzes models as a user meets them. First the GGUF reader alone, with >= 10,000 mutated and truncated variants of
// stories260K.gguf: each must parse or throw GgufFormatError. Then whole loads: the malformed models of issue 20
// (each once aborted, hung or printed NaN) and a few hundred seeded semantic mutants (metadata values, tensor shapes,
// types and data, truncation) through `localtune ppl`'s path in this process, so an abort or a hang fails the suite;
// every one must give a finite perplexity on a file llama.cpp also loads, or a named error. PEFT mutants likewise
// through `adapters import`. Seeded: a failure replays. `npm run fuzz` runs thousands more, each in a child process.
import fs, { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportPeftAdapter } from "../src/adapters/index.js";
import { GgufFormatError } from "../src/errors.js";
import { gguf, parseGguf, readGguf } from "../src/formats/gguf/index.js";
import { encodeSafetensors, readSafetensors } from "../src/formats/safetensors/index.js";
import { seededRandom } from "../src/engine/random.js";
import { FUZZ_TEXT, llamaCppAccepts, runPeftCase, runPplCase } from "./helpers/fuzz-cases.js";
import { ggufMutant, ggufWith, peftMutant, STORIES_260K, writePeftFolder } from "./helpers/fuzz-mutants.js";
import { writeTinyLora } from "./helpers/tiny-lora.js";

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

describe("malformed models through localtune ppl's path", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lt-fuzz-"));
  const textFile = path.join(dir, "text.txt");
  writeFileSync(textFile, FUZZ_TEXT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const write = (bytes: Uint8Array) => {
    const file = path.join(dir, `m${n++}.gguf`);
    writeFileSync(file, bytes);
    return file;
  };

  // Each of these aborted the process, hung or printed a number on main before the load-time validation.
  const CASES: Array<[string, Parameters<typeof ggufWith>[0], RegExp]> = [
    ["block_count 0 (SIGABRT)", { metadata: { "llama.block_count": gguf.u32(0) } }, /llama\.block_count/],
    ["block_count 2^31 (4 GB heap)", { metadata: { "llama.block_count": gguf.u32(2 ** 31) } }, /llama\.block_count/],
    ["block_count 1 (perplexity where llama.cpp refuses)", { metadata: { "llama.block_count": gguf.u32(1) } }, /llama\.block_count.*does not match the 5 blocks/],
    ["block_count 4", { metadata: { "llama.block_count": gguf.u32(4) } }, /llama\.block_count/],
    ["rms epsilon NaN (SIGABRT)", { metadata: { "llama.attention.layer_norm_rms_epsilon": gguf.f32(Number.NaN) } }, /layer_norm_rms_epsilon.*NaN must be a finite number above 0/],
    ["rms epsilon -1 (SIGABRT)", { metadata: { "llama.attention.layer_norm_rms_epsilon": gguf.f32(-1) } }, /layer_norm_rms_epsilon/],
    ["tokenizer bert (SIGABRT)", { metadata: { "tokenizer.ggml.model": gguf.str("bert") } }, /tokenizer\.ggml\.model.*"bert"/],
    ["tokenizer none (SIGABRT)", { metadata: { "tokenizer.ggml.model": gguf.str("none") } }, /tokenizer\.ggml\.model/],
    ["rope dimension count 0 (spins in ggml's rope kernel)", { metadata: { "llama.rope.dimension_count": gguf.u32(0) } }, /rope\.dimension_count/],
    ["rope dimension count above the head width", { metadata: { "llama.rope.dimension_count": gguf.u32(16) } }, /must be the head width 8/],
    ["rope freq base NaN", { metadata: { "llama.rope.freq_base": gguf.f32(Number.NaN) } }, /rope\.freq_base/],
    ["a NaN weight (perplexity NaN)", { tensor: { name: "blk.2.ffn_up.weight", index: 77, value: Number.NaN } }, /blk\.2\.ffn_up\.weight.*element 77 is NaN or infinite/],
    ["an infinite F16 weight", { tensor: { name: "output.weight", index: 5, value: Infinity, f16: true } }, /output\.weight.*element 5/],
    ["3e38 in a norm weight (overflows to NaN logits)", { tensor: { name: "output_norm.weight", index: 3, value: 3e38 } }, /not a finite number/],
    ["no tokenizer model", { metadata: { "tokenizer.ggml.model": null } }, /tokenizer\.ggml\.model.*missing/],
  ];
  for (const [name, change, message] of CASES) {
    it(`${name}: a named error, no number`, async () => {
      const outcome = await runPplCase(write(ggufWith(change)), textFile);
      expect(outcome.kind, JSON.stringify(outcome)).toBe("clean error");
      expect((outcome as { error: string }).error).toMatch(message);
    });
  }

  it("the untouched model still scores (the validation refuses only what is wrong)", async () => {
    const outcome = await runPplCase(STORIES_260K, textFile);
    expect(outcome.kind).toBe("ok");
  });

  it("264 seeded GGUF mutants: each a named error or a finite perplexity on a file llama.cpp also loads", async () => {
    const seed = 0x20f022;
    const counts: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 264; i++) {
      const mutant = ggufMutant(seed, i);
      const file = write(mutant.bytes);
      const outcome = await runPplCase(file, textFile);
      (counts[mutant.kind] ??= {})[outcome.kind] = (counts[mutant.kind]![outcome.kind] ?? 0) + 1;
      const replay = `mutant ${i} (seed ${seed}) ${mutant.kind}: ${mutant.what}`;
      expect(["ok", "clean error"], `${replay}: ${JSON.stringify(outcome)}`).toContain(outcome.kind);
      if (outcome.kind === "ok") expect(await llamaCppAccepts(file), `${replay}: we gave ${outcome.value}, llama.cpp refuses the file`).toBe(true);
      rmSync(file);
    }
    // Every class bites: each refuses some of its mutants.
    for (const [kind, byOutcome] of Object.entries(counts)) expect(byOutcome["clean error"] ?? 0, `${kind}: ${JSON.stringify(byOutcome)}`).toBeGreaterThan(0);
  }, 120_000);
});

describe("malformed PEFT adapters through adapters import", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lt-peft-fuzz-"));
  const peft = path.join(dir, "peft");
  beforeAll(async () => {
    const lora = path.join(dir, "lora.gguf");
    await writeTinyLora(lora);
    await exportPeftAdapter({ adapter: lora, model: STORIES_260K, out: peft });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** The valid folder with its config changed (as JSON text, so 1e999 can stand for Infinity) or a factor value set. */
  const variant = (configEdit?: (text: string) => string, factor?: { tensor: number; index: number; value: number }) => {
    const out = path.join(dir, `v${n++}`);
    fs.cpSync(peft, out, { recursive: true });
    if (configEdit) writeFileSync(path.join(out, "adapter_config.json"), configEdit(readFileSync(path.join(out, "adapter_config.json"), "utf8")));
    if (factor) {
      const st = readSafetensors(path.join(out, "adapter_model.safetensors"));
      const tensors = st.tensors.map((t) => ({ name: t.name, dtype: "F32" as const, shape: [...t.shape], data: st.readFloat32(t) }));
      tensors[factor.tensor]!.data[factor.index] = factor.value;
      writeFileSync(path.join(out, "adapter_model.safetensors"), encodeSafetensors({ tensors }));
    }
    return out;
  };
  const alpha = (value: string) => (text: string) => text.replace(/"lora_alpha":\s*[-\d.e+]+/, `"lora_alpha": ${value}`);
  const importing = (adapter: string) => runPeftCase(adapter, STORIES_260K, path.join(dir, `out${n++}.gguf`));

  it("the untouched export imports", async () => {
    expect((await importing(variant())).kind).toBe("ok");
  });

  const CASES: Array<[string, () => string, RegExp]> = [
    ["a NaN factor", () => variant(undefined, { tensor: 0, index: 3, value: Number.NaN }), /\[3\] is NaN; LoRA factors must be finite/],
    ["a 3e38 factor", () => variant(undefined, { tensor: 1, index: 0, value: 3e38 }), /is 3\.0\d*e\+38.*at most 65504/],
    ["an infinite factor", () => variant(undefined, { tensor: 2, index: 1, value: -Infinity }), /is -Infinity/],
    ["alpha 1e308", () => variant(alpha("1e308")), /lora_alpha = 1e\+308 gives .* the scale/],
    ["alpha infinite (1e999 in the JSON)", () => variant(alpha("1e999")), /lora_alpha: .*Infinity/],
    ["alpha 0 (llama.cpp would read it as scale 1)", () => variant(alpha("0")), /lora_alpha = 0/],
    ["alpha negative", () => variant(alpha("-8")), /lora_alpha = -8/],
    ["a config rank that disagrees with the tensors", () => variant((t) => t.replace(/"r":\s*4/, '"r": 8')), /says r = 8, but .* have rank 4/],
    ["a rank_pattern that disagrees", () => variant((t) => t.replace(/"rank_pattern":\s*\{\}/, '"rank_pattern": {"model.layers.2.self_attn.q_proj": 2}')), /rank_pattern\["model\.layers\.2\.self_attn\.q_proj"\] = 2/],
  ];
  for (const [name, make, message] of CASES) {
    it(`${name}: refused by name`, async () => {
      const outcome = await importing(make());
      expect(outcome.kind, JSON.stringify(outcome)).toBe("clean error");
      expect((outcome as { error: string }).error).toMatch(/^AdapterFormatError/);
      expect((outcome as { error: string }).error).toMatch(message);
    });
  }

  it("30 seeded PEFT mutants: each a named error or a GGUF LoRA with a finite alpha", async () => {
    const seed = 0x9ef7;
    for (let i = 0; i < 30; i++) {
      const mutant = peftMutant({ dir: peft }, seed, i);
      const adapter = path.join(dir, `mutant${i}`);
      writePeftFolder(adapter, mutant.folder);
      const outcome = await importing(adapter);
      expect(["ok", "clean error"], `PEFT mutant ${i} (seed ${seed}) ${mutant.kind}: ${mutant.what}: ${JSON.stringify(outcome)}`).toContain(outcome.kind);
    }
  }, 60_000);
});
