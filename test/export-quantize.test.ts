// Quantized exports against llama.cpp's own quantizer (llama_model_quantize from the libllama node-llama-cpp ships) on
// the same F32 input: the same type for every tensor, the same bytes, and node-llama-cpp's perplexity of our file
// equal to that of llama.cpp's and close to the unquantized model's. stories260K's rows (64) fit no K-quant, so it
// takes llama.cpp's per-tensor fallbacks; llamaWide's rows (256, 512) take the K-quants themselves.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaEvalBackend } from "../src/eval/llama-scorer.js";
import { quantizeModel } from "../src/export/quantize-model.js";
import { planQuantization, usesMoreBits, type ExportQuant } from "../src/export/quant-plan.js";
import { ggmlTypeName, readGguf } from "../src/formats/gguf/index.js";
import { selectDevice } from "../src/native/device-choice.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { LLAMA_FTYPE, llamaCppQuantize } from "./helpers/llama-quantize.js";
import { STORIES_260K, testModelPath } from "./helpers/test-models.js";

const TEXT =
  "Once upon a time, there was a little girl named Lily. She loved to play with her toys and her friends. One day, she went to the park with her mom. " +
  "They saw a big tree with red apples. Lily wanted to climb the tree, but her mom said it was too high. Lily was sad, but then she saw a dog. The dog was happy and wagged its tail.";

let root: string;
beforeAll(() => {
  // One build for the whole file: the perplexities compare on the CPU, where no GPU kernel rounds differently.
  selectDevice("cpu");
  root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-export-quant-"));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// The unquantized model's perplexity, once per input (a load and a pass over a 32000-token vocabulary each time).
const basePerplexity = new Map<string, Promise<number>>();

async function perplexityOf(file: string): Promise<number> {
  const model = await loadLlamaModel(file, { gpu: "cpu" });
  const backend = await createLlamaEvalBackend(model, { contextSize: 128, threads: 1 });
  try {
    return (await backend.scorer.perplexity(TEXT)).perplexity;
  } finally {
    await backend.dispose();
    await model.dispose();
  }
}

describe("llama.cpp's layer rule", () => {
  it("gives more bits to the first and last eighth of the layers and every third between (use_more_bits)", () => {
    // 32 layers: 0-3 and 28-31, then 6, 9, ... (i - 4) % 3 == 2.
    const chosen = Array.from({ length: 32 }, (_, i) => i).filter((i) => usesMoreBits(i, 32));
    expect(chosen).toEqual([0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]);
  });
});

const CASES: Array<{ name: string; file: () => Promise<string>; quants: ExportQuant[] }> = [
  { name: "stories260K", file: async () => STORIES_260K, quants: ["q4_k_m", "q5_k_m", "q8_0", "f16"] },
  { name: "llamaWide (random weights, rows of 256 and 512)", file: () => testModelPath("llamaWide"), quants: ["q4_k_m", "q5_k_m", "q8_0", "f16"] },
];

describe.each(CASES)("export --quant on $name", ({ name, file, quants }) => {
  it.each(quants)("%s: same tensor types and bytes as llama.cpp's quantize, same perplexity", async (quant) => {
    const input = await file();
    const ours = path.join(root, `${name.split(" ")[0]}-${quant}-ours.gguf`);
    const theirs = path.join(root, `${name.split(" ")[0]}-${quant}-llama.cpp.gguf`);
    const result = await quantizeModel({ model: input, out: ours, quant });
    await llamaCppQuantize(input, theirs, LLAMA_FTYPE[quant]);

    const a = readGguf(ours);
    const b = readGguf(theirs);
    // llama.cpp writes the tensors in its loader's order: compare by name.
    const typesOf = (f: typeof a) => Object.fromEntries(f.tensors.map((t) => [t.name, ggmlTypeName(t.type)]));
    expect(typesOf(a)).toEqual(typesOf(b));
    for (const t of a.tensors) expect(Buffer.from(a.readTensorData(t)).equals(Buffer.from(b.readTensorData(b.findTensor(t.name)!))), t.name).toBe(true);
    expect(a.getU32("general.file_type")).toBe(b.getU32("general.file_type"));
    // Every fallback we list is a tensor llama.cpp also stored in another type than the preset's rule.
    for (const f of result.fallbacks) expect(ggmlTypeName(b.findTensor(f.tensor)!.type)).toBe(f.written);

    if (!basePerplexity.has(input)) basePerplexity.set(input, perplexityOf(input));
    const [pplBase, pplOurs, pplTheirs] = [await basePerplexity.get(input)!, await perplexityOf(ours), await perplexityOf(theirs)];
    console.log(`${name} ${quant}: perplexity f32 ${pplBase.toFixed(4)}, ours ${pplOurs.toFixed(4)}, llama.cpp ${pplTheirs.toFixed(4)}; fallbacks ${result.fallbacks.map((f) => `${f.tensor} ${f.wanted}->${f.written}`).join(", ") || "none"}`);
    expect(pplOurs).toBe(pplTheirs);
    // Bounds well above what these presets cost on any model, far below what a wrong block layout does.
    const bound = { q4_k_m: 0.25, q5_k_m: 0.15, q8_0: 0.02, f16: 0.005 }[quant];
    expect(Math.abs(pplOurs / pplBase - 1)).toBeLessThan(bound);
  }, 300_000);
});

describe("the plan names its fallbacks", () => {
  it("lists stories260K's K-quant tensors that fall back to 32-value blocks", () => {
    const plan = planQuantization(readGguf(STORIES_260K).tensors, "q4_k_m");
    expect(plan.fallbacks.length).toBeGreaterThan(0);
    for (const f of plan.fallbacks) expect(f.reason).toMatch(/rows of (64|172) values are not a multiple of the Q[456]_K block size 256/i);
  });
});
