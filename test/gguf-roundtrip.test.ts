// GGUF I/O on real files: stories260K and llama.cpp's vocabularies read, written back, and cross-checked with
// node-llama-cpp's own (independent, pure-JS) GGUF parser.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import {
  GgmlType,
  dequantize,
  ggufPlain,
  gguf,
  quantize,
  readGguf,
  readVocabMetadata,
  writeGguf,
  type GgufFile,
  type GgufTensorInput,
} from "../src/formats/gguf/index.js";

const STORIES = new URL("../models/stories260K.gguf", import.meta.url).pathname;
const VOCAB_SPM = new URL("./fixtures/vocab/ggml-vocab-llama-spm.gguf", import.meta.url).pathname;
const VOCAB_QWEN2 = new URL("./fixtures/vocab/ggml-vocab-qwen2.gguf", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "gguf-roundtrip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lazyTensors = (g: GgufFile): GgufTensorInput[] =>
  g.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne, data: () => g.readTensorData(t) }));

/** Our file, as node-llama-cpp's parser sees it: every metadata value and tensor info must agree. */
async function expectSameAsNodeLlamaCpp(path: string): Promise<void> {
  const ours = readGguf(path);
  const theirs = await readGgufFileInfo(path, { logWarnings: false });
  expect(theirs.version).toBe(ours.version);
  for (const [key, value] of ours.metadata) {
    let node: unknown = theirs.metadata;
    for (const part of key.split(".")) node = (node as Record<string, unknown>)[part];
    const plain = ggufPlain(value);
    if (Array.isArray(plain)) expect(Array.from(node as ArrayLike<unknown>), key).toEqual(plain);
    else if (typeof plain === "bigint") expect(BigInt(node as number), key).toBe(plain);
    else expect(node, key).toBe(plain);
  }
  expect(theirs.tensorInfo?.map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.fileOffset)])).toEqual(
    ours.tensors.map((t) => [t.name, t.ne, t.type, t.offset]),
  );
}

describe("stories260K.gguf", () => {
  const g = readGguf(STORIES);

  it("reads what the model card says (llama, 5 layers, n_embd 64, 8/4 heads, vocab 512, all F32)", () => {
    expect(g.version).toBe(3);
    expect(g.architecture).toBe("llama");
    expect(g.getU32("llama.block_count")).toBe(5);
    expect(g.getU32("llama.embedding_length")).toBe(64);
    expect(g.getU32("llama.feed_forward_length")).toBe(172);
    expect([g.getU32("llama.attention.head_count"), g.getU32("llama.attention.head_count_kv")]).toEqual([8, 4]);
    expect(g.getStringArray("tokenizer.ggml.tokens").length).toBe(512);
    expect(g.tensors.length).toBe(3 + 5 * 9);
    expect(g.tensors.every((t) => t.type === GgmlType.F32)).toBe(true);
    expect(g.tensor("blk.0.ffn_down.weight").ne).toEqual([172, 64]);
    const last = g.tensors.at(-1)!;
    expect(last.offset + last.byteLength).toBe(g.size);
  });

  it("agrees with node-llama-cpp's GGUF parser", async () => {
    await expectSameAsNodeLlamaCpp(STORIES);
  });

  it("is written back byte-identical", async () => {
    const out = join(dir, "stories-copy.gguf");
    await writeGguf(out, { metadata: g.metadata, tensors: lazyTensors(g) });
    // Identical because the original came from a ggml-style writer: the same key order, zero padding and alignment 32.
    expect(readFileSync(out).equals(readFileSync(STORIES))).toBe(true);
  });

  it("converts to F16 and Q8_0 and reads back within the formats' precision", async () => {
    const out = join(dir, "stories-q8.gguf");
    // Q8_0 needs rows that are multiples of 32: every matrix here has ne[0] of 64 or 172; 172 rows stay F16.
    const tensors = g.tensors.map((t): GgufTensorInput => {
      const values = dequantize(t.type, g.readTensorData(t), t.elementCount);
      const type = t.ne.length === 1 ? GgmlType.F32 : t.ne[0]! % 32 === 0 ? GgmlType.Q8_0 : GgmlType.F16;
      return { name: t.name, type, ne: t.ne, data: quantize(type, values) };
    });
    await writeGguf(out, { metadata: new Map([...g.metadata, ["general.file_type", gguf.u32(7)]]), tensors });
    const q = readGguf(out);
    const w = q.tensor("blk.2.attn_q.weight");
    expect(w.type).toBe(GgmlType.Q8_0);
    const orig = dequantize(GgmlType.F32, g.readTensorData(w.name), w.elementCount);
    const back = dequantize(w.type, q.readTensorData(w), w.elementCount);
    const amax = orig.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < orig.length; i++) expect(Math.abs(back[i]! - orig[i]!)).toBeLessThanOrEqual(amax / 127);
    expect(q.tensor("blk.0.ffn_down.weight").type).toBe(GgmlType.F16);
    await expectSameAsNodeLlamaCpp(out);
  });
});

describe("llama.cpp vocabularies", () => {
  it("reads the SentencePiece vocabulary", () => {
    const v = readVocabMetadata(VOCAB_SPM);
    expect(v.get("tokenizer.ggml.model")).toEqual({ type: "string", value: "llama" });
    const tokens = ggufPlain(v.get("tokenizer.ggml.tokens")!) as string[];
    expect(tokens.length).toBe(32000);
    expect(tokens.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(v.get("tokenizer.ggml.bos_token_id")).toEqual({ type: "uint32", value: 1 });
    expect([...v.keys()].every((k) => k.startsWith("tokenizer."))).toBe(true);
  });

  it("reads the Qwen2 BPE vocabulary (151,936 tokens, merges, special tokens)", () => {
    const g = readGguf(VOCAB_QWEN2);
    expect(g.getString("tokenizer.ggml.pre")).toBe("qwen2");
    const tokens = g.getStringArray("tokenizer.ggml.tokens");
    expect(tokens.length).toBe(151936);
    expect(tokens[g.getU32("tokenizer.ggml.eos_token_id")]).toBe("<|endoftext|>");
    expect(g.getStringArray("tokenizer.ggml.merges").length).toBe(151387);
    expect(g.getI32Array("tokenizer.ggml.token_type").length).toBe(151936);
  });

  it("writes a random-weight qwen2 model with the real vocabulary that node-llama-cpp's parser reads back", async () => {
    const vocab = readVocabMetadata(VOCAB_QWEN2);
    const nVocab = 151936;
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.02;
    const tensors: GgufTensorInput[] = [
      { name: "token_embd.weight", type: GgmlType.Q8_0, ne: [32, nVocab], data: () => quantize(GgmlType.Q8_0, Float32Array.from({ length: 32 * nVocab }, rnd)) },
      { name: "output_norm.weight", type: GgmlType.F32, ne: [32], data: new Float32Array(32).fill(1) },
    ];
    const metadata = new Map([
      ["general.architecture", gguf.str("qwen2")],
      ["qwen2.embedding_length", gguf.u32(32)],
      ...vocab,
    ]);
    const out = join(dir, "qwen2-random.gguf");
    await writeGguf(out, { metadata, tensors });
    const back = readGguf(out);
    expect(back.getStringArray("tokenizer.ggml.tokens")).toEqual(ggufPlain(vocab.get("tokenizer.ggml.tokens")!));
    await expectSameAsNodeLlamaCpp(out);
  });

  it("round-trips a vocabulary file: same values, our bytes = theirs + ggml's end padding", async () => {
    const g = readGguf(VOCAB_SPM);
    const out = join(dir, "spm-copy.gguf");
    await writeGguf(out, { metadata: g.metadata, tensors: [] });
    const ours = readFileSync(out);
    const theirs = readFileSync(VOCAB_SPM);
    // gguf-py wrote the original without padding after the metadata; gguf.cpp (and our writer) pad to the alignment.
    expect(ours.subarray(0, theirs.length).equals(theirs)).toBe(true);
    expect(ours.length).toBe(Math.ceil(theirs.length / 32) * 32);
    expect([...ours.subarray(theirs.length)].every((b) => b === 0)).toBe(true);
    expect(Object.fromEntries(readGguf(out).metadata)).toEqual(Object.fromEntries(g.metadata));
  });
});
