// Adapter export, import, merge and load-and-play on stories260K (llama: q/k rows permuted by llama.cpp's converter)
// with a LoRA trained by `startTraining`: PEFT export -> import gives the same GGUF tensors; a merged GGUF loaded by
// node-llama-cpp gives the logits of the base with the adapters attached through node-llama-cpp's `lora` option, and
// so does our engine with stacked adapters (one of them a PEFT folder); PEFT folders play through the generation
// path; adapters for another base and damaged files give named errors.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeAdapter, exportPeftAdapter, importPeftAdapter, loadEngineLora, mergeAdapters, readGgufLora, readLoraPair, resolveAdapterFile } from "../src/adapters/index.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { AdapterFormatError, AdapterMismatchError, GgufFormatError, SafetensorsFormatError } from "../src/errors.js";
import { GgmlType, readGguf } from "../src/formats/gguf/index.js";
import { readSafetensors, writeSafetensors } from "../src/formats/safetensors/index.js";
import { getLlamaRuntime } from "../src/native/llama-runtime.js";
import { generateText } from "../src/prompt/index.js";
import { startTraining } from "../src/train/index.js";
import { logSoftmax, referenceLogProbs } from "./helpers/reference-logprobs.js";
import { quantizedStoriesPath, STORIES_260K, testModelPath } from "./helpers/test-models.js";
import { writeTinyLora } from "./helpers/tiny-lora.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-adapters-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const TOKENS = [1, 450, 260, 300, 310, 320, 330, 340, 402, 267];
const V = 512;
const N_HEAD = 8; // stories260K: 8 query heads, 4 key/value heads, head width 8
const N_HEAD_KV = 4;
let adapter = ""; // the trained GGUF LoRA (rank 4, alpha 8, all seven projections)
let runDir = "";

beforeAll(async () => {
  const trainText = path.join(root, "train.txt");
  fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 8_000));
  const { runDir: dir, done } = await startTraining({
    method: "lora",
    methodOptions: { rank: 4, alpha: 8 },
    model: STORIES_260K,
    data: [trainText],
    out: path.join(root, "run"),
    steps: 4,
    ctx: 32,
    batch: 2,
    lr: 2e-2,
    threads: 1,
    evalEvery: 0,
  });
  adapter = done.output!;
  runDir = dir;
}, 120_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The converter's permutation written out independently: GGUF row h*D + 2i + j is HF row h*D + j*D/2 + i. */
function hfRowOfGgufRow(row: number, heads: number, rows: number): number {
  const D = rows / heads;
  const h = Math.floor(row / D);
  const within = row % D;
  return h * D + (within % 2) * (D / 2) + Math.floor(within / 2);
}

/** Worst |logprob difference| over the logprob range, per position, on tokens both runs give probability > 1e-30. */
function worstRelativeDiff(a: Float64Array[], b: Float64Array[]): number {
  let worst = 0;
  const floor = Math.log(1e-30);
  a.forEach((row, p) => {
    let maxDiff = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < row.length; i++) {
      if (!(row[i]! > floor && b[p]![i]! > floor)) continue;
      maxDiff = Math.max(maxDiff, Math.abs(row[i]! - b[p]![i]!));
      lo = Math.min(lo, row[i]!);
      hi = Math.max(hi, row[i]!);
    }
    worst = Math.max(worst, maxDiff / (hi - lo));
  });
  return worst;
}

const F32_CONTEXT = { contextSize: 32, threads: 1, flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" } as const;

async function logProbs(modelPath: string, ...adapters: { filePath: string; scale?: number }[]): Promise<Float64Array[]> {
  const llama = await getLlamaRuntime({ gpu: "cpu" });
  const model: LlamaModel = await llama.loadModel({ modelPath });
  const context: LlamaContext = await model.createContext({ ...F32_CONTEXT, ...(adapters.length > 0 ? { lora: { adapters } } : {}) });
  try {
    return await referenceLogProbs(model, TOKENS, V, context);
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

describe("PEFT export and import", () => {
  it("exports Hugging Face names and shapes, un-permutes llama q/k lora_B, and imports back to the same GGUF tensors", async () => {
    const peft = path.join(root, "peft");
    const result = await exportPeftAdapter({ adapter, model: STORIES_260K, out: peft });
    expect(result).toMatchObject({ modules: 35, rank: 4, loraAlpha: 8, permuted: 10, targetModules: ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"] });
    const config = JSON.parse(fs.readFileSync(path.join(peft, "adapter_config.json"), "utf8"));
    expect(config).toMatchObject({ peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, use_rslora: false, base_model_name_or_path: null });

    const st = readSafetensors(path.join(peft, "adapter_model.safetensors"));
    const lora = readGgufLora(adapter);
    const pair = (name: string) => readLoraPair(lora, lora.pairs.find((p) => p.name === name)!);
    const key = (layer: number, module: string, f: "A" | "B") => `base_model.model.model.layers.${layer}.${module}.lora_${f}.weight`;
    expect(st.tensor(key(2, "self_attn.q_proj", "A")).shape).toEqual([4, 64]);
    expect(st.tensor(key(2, "self_attn.k_proj", "B")).shape).toEqual([32, 4]);
    expect(st.tensor(key(2, "mlp.down_proj", "A")).shape).toEqual([4, 172]);
    // v and the MLP keep their bytes; q and k lora_B rows move by the converter's permutation.
    expect([...st.readFloat32(key(1, "self_attn.v_proj", "B"))]).toEqual([...pair("blk.1.attn_v").b]);
    expect([...st.readFloat32(key(1, "self_attn.q_proj", "A"))]).toEqual([...pair("blk.1.attn_q").a]);
    for (const [module, name, heads, rows] of [["self_attn.q_proj", "blk.3.attn_q", N_HEAD, 64], ["self_attn.k_proj", "blk.3.attn_k", N_HEAD_KV, 32]] as const) {
      const hf = st.readFloat32(key(3, module, "B"));
      const gguf = pair(name).b;
      for (let row = 0; row < rows; row++) {
        const hfRow = hfRowOfGgufRow(row, heads, rows);
        expect([...hf.subarray(hfRow * 4, hfRow * 4 + 4)]).toEqual([...gguf.subarray(row * 4, row * 4 + 4)]);
      }
    }

    const back = path.join(root, "back.gguf");
    const imported = await importPeftAdapter({ adapter: peft, model: STORIES_260K, out: back });
    expect(imported).toMatchObject({ modules: 35, ranks: [4], alpha: 8, permuted: 10, folded: 0 });
    const again = readGgufLora(back);
    expect(again.alpha).toBe(lora.alpha);
    expect(again.pairs.map((p) => p.name).sort()).toEqual(lora.pairs.map((p) => p.name).sort());
    for (const p of lora.pairs) {
      const q = again.pairs.find((x) => x.name === p.name)!;
      expect(q.a.ne).toEqual(p.a.ne);
      expect(q.b.ne).toEqual(p.b.ne);
      expect(readLoraPair(again, q)).toEqual(readLoraPair(lora, p));
    }
  });

  it("keeps the scale through rsLoRA form, F16 factors and alpha_pattern (folded into B)", async () => {
    const peft = path.join(root, "peft-rs");
    const result = await exportPeftAdapter({ adapter, model: STORIES_260K, out: peft, rslora: true });
    expect(result.loraAlpha).toBeCloseTo(8 / 2, 6); // alpha_gguf / sqrt(r): the same alpha / r scale
    const config = JSON.parse(fs.readFileSync(path.join(peft, "adapter_config.json"), "utf8"));
    expect(config.use_rslora).toBe(true);
    // Rewrite the factors as F16 and double layer 0's v_proj alpha: its scale doubles, which the import folds into B.
    const st = readSafetensors(path.join(peft, "adapter_model.safetensors"));
    const { f32ToF16Array, f16ToF32Array } = await import("../src/formats/quant/half.js");
    await writeSafetensors(path.join(peft, "adapter_model.safetensors"), {
      tensors: st.tensors.map((t) => ({ name: t.name, dtype: "F16" as const, shape: t.shape, data: f32ToF16Array(st.readFloat32(t)) })),
    });
    fs.writeFileSync(path.join(peft, "adapter_config.json"), JSON.stringify({ ...config, alpha_pattern: { "model.layers.0.self_attn.v_proj": config.lora_alpha * 2 } }));
    const out = path.join(root, "rs.gguf");
    const imported = await importPeftAdapter({ adapter: peft, model: STORIES_260K, out });
    expect(imported.folded).toBe(1);
    expect(imported.alpha).toBeCloseTo(8, 5);
    const lora = readGgufLora(adapter);
    const back = readGgufLora(out);
    const f16 = (x: Float32Array) => [...f16ToF32Array(f32ToF16Array(x))];
    const get = (l: typeof lora, name: string) => readLoraPair(l, l.pairs.find((p) => p.name === name)!);
    expect([...get(back, "blk.0.attn_v").b]).toEqual(f16(get(lora, "blk.0.attn_v").b).map((v) => Math.fround(v * 2)));
    expect([...get(back, "blk.0.attn_q").b]).toEqual(f16(get(lora, "blk.0.attn_q").b));
  });

  it("refuses adapters for another base, foreign tensors, other PEFT types and damaged files, by name", async () => {
    const qwen2 = await testModelPath("qwen2");
    await expect(exportPeftAdapter({ adapter, model: qwen2, out: path.join(root, "x") })).rejects.toThrow(AdapterMismatchError);
    await expect(mergeAdapters({ model: qwen2, adapters: [{ path: adapter }], out: path.join(root, "x.gguf") })).rejects.toThrow(/is for "llama", the model is "qwen2"/);
    const peft = path.join(root, "peft");
    const err = await importPeftAdapter({ adapter: peft, model: qwen2, out: path.join(root, "x.gguf") }).catch((e) => e);
    expect(err).toBeInstanceOf(AdapterMismatchError);
    expect(err.message).toMatch(/the model has no blk\.2\.attn_q\.weight|adapter \[out 172, in 64\], model blk\.0\.ffn_gate\.weight \[out 96, in 64\]/);
    expect(err.ko).toContain("기본 모델");
    expect(fs.existsSync(path.join(root, "x.gguf"))).toBe(false);

    const bad = path.join(root, "peft-bad");
    fs.cpSync(peft, bad, { recursive: true });
    const st = readSafetensors(path.join(bad, "adapter_model.safetensors"));
    const tensors = st.tensors.map((t) => ({ name: t.name, dtype: "F32" as const, shape: t.shape, data: st.readFloat32(t) }));
    await writeSafetensors(path.join(bad, "adapter_model.safetensors"), {
      tensors: [...tensors, { name: "base_model.model.lm_head.lora_A.weight", dtype: "F32", shape: [4, 64], data: new Float32Array(256) }],
    });
    await expect(importPeftAdapter({ adapter: bad, model: STORIES_260K, out: path.join(root, "x.gguf") })).rejects.toThrow(/cannot apply to llama: base_model\.model\.lm_head\.lora_A\.weight/);
    fs.writeFileSync(path.join(bad, "adapter_model.safetensors"), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
    await expect(importPeftAdapter({ adapter: bad, model: STORIES_260K, out: path.join(root, "x.gguf") })).rejects.toThrow(SafetensorsFormatError);
    fs.writeFileSync(path.join(bad, "adapter_config.json"), JSON.stringify({ peft_type: "PROMPT_TUNING", num_virtual_tokens: 8 }));
    await expect(importPeftAdapter({ adapter: bad, model: STORIES_260K, out: path.join(root, "x.gguf") })).rejects.toThrow(/PEFT PROMPT_TUNING adapters cannot become a GGUF LoRA/);
    fs.writeFileSync(path.join(bad, "adapter_config.json"), "{ not json");
    await expect(importPeftAdapter({ adapter: bad, model: STORIES_260K, out: path.join(root, "x.gguf") })).rejects.toThrow(AdapterFormatError);

    const truncated = path.join(root, "truncated.gguf");
    fs.writeFileSync(truncated, fs.readFileSync(adapter).subarray(0, 200));
    expect(() => readGgufLora(truncated)).toThrow(GgufFormatError);
    expect(() => describeAdapter(STORIES_260K)).toThrow(/not an adapter: general.type is "\(absent\)"/);
  });
});

describe("merge", () => {
  it("an F32 merge gives the logits of base + adapter in node-llama-cpp (within 1e-4 of the logit range)", async () => {
    const merged = path.join(root, "merged-f32.gguf");
    const result = await mergeAdapters({ model: STORIES_260K, adapters: [{ path: adapter, scale: 0.75 }], out: merged, type: "f32" });
    expect(result).toMatchObject({ merged: 35, fallbacks: [] });
    const reference = await logProbs(STORIES_260K, { filePath: adapter, scale: 0.75 });
    const base = await logProbs(STORIES_260K);
    const ours = await logProbs(merged);
    expect(worstRelativeDiff(ours, reference)).toBeLessThan(1e-4);
    // The adapter does change the model, by far more than the merge error.
    expect(worstRelativeDiff(base, reference)).toBeGreaterThan(1e-3);
  }, 60_000);

  it("a Q8_0 merge stays within 2.5e-2 of the logit range, the error Q8_0 rounding makes anyway; ffn_down (172 columns) stays F32", async () => {
    const merged = path.join(root, "merged-q8.gguf");
    const result = await mergeAdapters({ model: STORIES_260K, adapters: [{ path: adapter }], out: merged, type: "q8_0" });
    expect(result.fallbacks.map((f) => f.tensor)).toEqual([0, 1, 2, 3, 4].map((l) => `blk.${l}.ffn_down.weight`));
    const file = readGguf(merged);
    expect(file.tensor("blk.0.attn_q.weight").type).toBe(GgmlType.Q8_0);
    expect(file.tensor("blk.0.ffn_down.weight").type).toBe(GgmlType.F32);
    expect(file.tensor("token_embd.weight").type).toBe(GgmlType.F32);
    const diff = worstRelativeDiff(await logProbs(merged), await logProbs(STORIES_260K, { filePath: adapter }));
    // Measured 1.6e-2 of the logit range: the size of the change Q8_0 makes to the base alone (1.5e-2), so the merge adds no error of its own.
    const q8Base = await quantizedStoriesPath(GgmlType.Q8_0);
    const quantizationAlone = worstRelativeDiff(await logProbs(q8Base), await logProbs(STORIES_260K));
    expect(diff).toBeLessThan(2.5e-2);
    expect(diff).toBeLessThan(1.5 * quantizationAlone);

    // Onto a Q8_0 base, keeping each weight's type: the merged weights are re-quantized once (measured 1.6e-2).
    const mergedQ8Base = path.join(root, "merged-on-q8.gguf");
    await mergeAdapters({ model: q8Base, adapters: [{ path: adapter }], out: mergedQ8Base });
    expect(readGguf(mergedQ8Base).tensor("blk.0.ffn_gate.weight").type).toBe(GgmlType.Q8_0);
    expect(worstRelativeDiff(await logProbs(mergedQ8Base), await logProbs(q8Base, { filePath: adapter }))).toBeLessThan(2.5e-2);
  }, 60_000);
});

describe("stacking", () => {
  it("two adapters with scales: merged GGUF, our engine (PEFT folder + GGUF) and node-llama-cpp agree", async () => {
    const tiny = path.join(root, "tiny-stack.gguf");
    await writeTinyLora(tiny, { rank: 2, alpha: 4, bScale: 0.2, seed: 3 });
    const reference = await logProbs(STORIES_260K, { filePath: adapter, scale: 0.5 }, { filePath: tiny, scale: -1 });
    const merged = path.join(root, "merged-stack.gguf");
    await mergeAdapters({ model: STORIES_260K, adapters: [{ path: adapter, scale: 0.5 }, { path: tiny, scale: -1 }], out: merged, type: "f32" });
    expect(worstRelativeDiff(await logProbs(merged), reference)).toBeLessThan(1e-4);

    const peft = path.join(root, "peft-stack");
    await exportPeftAdapter({ adapter, model: STORIES_260K, out: peft });
    const engine = await EngineModel.load(STORIES_260K, { threads: 1 });
    const lora = await loadEngineLora(engine, [{ path: peft, scale: 0.5 }, { path: tiny, scale: -1 }], STORIES_260K);
    const logits = forwardLogits(engine, { tokens: Int32Array.from(TOKENS), sequences: 1 }, lora.hooks);
    const ours = TOKENS.map((_, i) => logSoftmax(logits.subarray(i * V, (i + 1) * V)));
    expect(worstRelativeDiff(ours, reference)).toBeLessThan(1e-4);
    lora.dispose();
    engine.dispose();
  }, 60_000);
});

describe("load-and-play", () => {
  it("a PEFT folder generates exactly like its GGUF LoRA through the generation path (converted once, cached)", async () => {
    const tiny = path.join(root, "tiny-lora.gguf");
    await writeTinyLora(tiny, { rank: 4, alpha: 4 });
    const peft = path.join(root, "tiny-peft");
    await exportPeftAdapter({ adapter: tiny, model: STORIES_260K, out: peft });
    const generate = async (adapters: { path: string }[]) =>
      (await generateText({ model: STORIES_260K, adapters, prompt: "Once upon a time", gpu: "cpu", threads: 1, contextSize: 64, sampling: { temperature: 0, maxTokens: 24 } })).text;
    const viaPeft = await generate([{ path: peft }]);
    expect(viaPeft).toBe(await generate([{ path: tiny }]));
    expect(viaPeft).not.toBe(await generate([]));
    const cached = await resolveAdapterFile(peft, STORIES_260K);
    expect(path.dirname(cached)).toBe(path.join(root, "cache", "peft-gguf"));
    expect(await resolveAdapterFile(peft, STORIES_260K)).toBe(cached);
    expect(path.resolve(await resolveAdapterFile(runDir, STORIES_260K))).toBe(path.resolve(adapter));
  }, 60_000);

  it("describes GGUF LoRA, PEFT folders and run folders; training also wrote a PEFT copy", () => {
    const gguf = describeAdapter(adapter);
    expect(gguf).toMatchObject({ format: "gguf", type: "lora", arch: "llama", ranks: [4], alpha: 8, layers: [0, 1, 2, 3, 4], tensors: 70 });
    expect(gguf.targets).toEqual(["attn_k", "attn_output", "attn_q", "attn_v", "ffn_down", "ffn_gate", "ffn_up"]);
    // Per layer: r (in + out) for q 64+64, k 64+32, v 64+32, o 64+64, gate 64+172, up 64+172, down 172+64.
    expect(gguf.parameters).toBe(5 * 4 * (128 + 96 + 96 + 128 + 236 + 236 + 236));
    expect({ ...describeAdapter(runDir), path: "" }).toEqual({ ...gguf, path: "" });
    const peft = describeAdapter(path.join(path.dirname(adapter), "peft"));
    expect(peft).toMatchObject({ format: "peft", type: "lora", ranks: [4], alpha: 8, parameters: gguf.parameters, targets: gguf.targets });
  });
});

describe("CLI", () => {
  const localtune = (...args: string[]) => spawnSync(process.execPath, ["bin/localtune.js", ...args], { encoding: "utf8", env: { ...process.env } });

  it("adapters export/import/info round trip as a user runs them; bad input exits non-zero with a Korean message", () => {
    const out = path.join(root, "cli-peft");
    const exported = localtune("--lang", "en", "adapters", "export", "-a", adapter, "-m", STORIES_260K, "-o", out, "--json");
    expect(exported.status).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ modules: 35, rank: 4, permuted: 10 });
    const gguf = path.join(root, "cli.gguf");
    const imported = localtune("--lang", "en", "adapters", "import", "-a", out, "-m", STORIES_260K, "-o", gguf);
    expect(imported.stdout).toMatch(/GGUF LoRA written to .*cli\.gguf: 35 modules, rank 4, alpha 8/);
    const info = localtune("--lang", "ko", "adapters", "info", gguf);
    expect(info.stdout).toMatch(/랭크\s+4/);
    expect(info.stdout).toMatch(/파라미터\s+23,120/);
    const bad = localtune("--lang", "ko", "adapters", "import", "-a", root, "-m", STORIES_260K, "-o", path.join(root, "never.gguf"));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/adapter_config\.json.*찾을 수 없습니다/);
  }, 180_000); // five CLI processes, each loading node-llama-cpp: slow on a loaded 2-core machine
});
