// The planner's arithmetic against independent figures: published parameter counts of real models, PEFT's
// trainable-parameter counts for LoRA, and FLOP / memory values worked out by hand for stories260K.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  calibrate,
  calibrationCases,
  caseFlopsPerToken,
  loadCalibration,
  machineKey,
  saveCalibration,
  type CalibrationFile,
} from "./calibration.js";
import { readGgufModelShape } from "./gguf-shape.js";
import { countParams, KNOWN_MODEL_SHAPES } from "./model-shape.js";
import { planRungs } from "./plan.js";
import { bitfitParams, estimateRungs, loraParams, prefixParams } from "./rungs.js";

const shape = (key: string) => KNOWN_MODEL_SHAPES[key]!;
const GIB = 2 ** 30;

describe("model shapes", () => {
  it("count exactly the parameters the model cards publish", () => {
    // Totals as printed by Hugging Face's model.num_parameters() for each checkpoint.
    expect(shape("smollm2-135m").totalParams).toBe(134_515_008);
    expect(shape("qwen2.5-0.5b").totalParams).toBe(494_032_768);
    expect(shape("llama-3.2-1b").totalParams).toBe(1_235_814_400);
    expect(shape("qwen2.5-3b").totalParams).toBe(3_085_938_688);
    expect(shape("llama-3.1-8b").totalParams).toBe(8_030_261_248);
  });

  it("reads stories260K's shape from its GGUF header (values of models/README.md)", async () => {
    const s = await readGgufModelShape("models/stories260K.gguf");
    expect(s).toMatchObject({
      arch: "llama", nLayer: 5, nEmbd: 64, nFf: 172, nHead: 8, nHeadKv: 4, headDim: 8, nVocab: 512,
      tiedEmbeddings: false, qkvBias: false, weightType: "f32",
    });
    // Every tensor is F32: the bytes after the header are 4 per parameter, and the formula agrees with the file.
    expect(s.weightBytes).toBe(4 * s.totalParams);
    expect(countParams(s)).toBe(s.totalParams);
    expect(s.totalParams).toBe(292_800);
  });
});

describe("trainable parameters", () => {
  it("LoRA on all seven projections matches PEFT's counts", () => {
    // PEFT print_trainable_parameters() with target_modules = all linear layers, r = 16.
    expect(loraParams(shape("llama-3.2-1b"), 16)).toBe(11_272_192);
    expect(loraParams(shape("qwen2.5-0.5b"), 16)).toBe(8_798_208);
  });

  it("prefix tuning and BitFit follow their per-layer formulas", () => {
    const s = shape("qwen2.5-0.5b");
    // 24 layers x 20 tokens x (K and V) x 2 kv heads x 64.
    expect(prefixParams(s, 20)).toBe(24 * 20 * 2 * 128);
    // 24 layers x (q 896 + k 128 + v 128 + o 896 + gate 4864 + up 4864 + down 896).
    expect(bitfitParams(s)).toBe(24 * 12_672);
  });
});

describe("rung arithmetic on stories260K (ctx 256, batch 1)", async () => {
  const s = await readGgufModelShape("models/stories260K.gguf");
  const rungs = estimateRungs(s, { ctx: 256, batch: 1, virtualTokens: 20 });
  const by = (id: string) => rungs.find((r) => r.id === id)!;
  // N = 5 x (4096 q + 2 x 2048 kv + 4096 o + 3 x 11008 ffn) + 512 x 64 head = 259,328; A = 5 x 4 x 256 x 64 = 327,680.
  const N = 259_328;
  const A = 327_680;

  it("charges 6N + 3A per token for full training and 4N + 3A + 6P for LoRA", () => {
    expect(by("full-dapt").flopsPerToken).toBe(6 * N + 3 * A);
    const p = loraParams(s, 16);
    expect(by("lora-r16").flopsPerToken).toBe(4 * N + 3 * A + 6 * p);
    expect(by("prompt-rag").flopsPerToken).toBe(2 * N + A);
  });

  it("holds full DAPT at 16 bytes per parameter and a frozen F32 base at its file size", () => {
    expect(by("full-dapt").memory.weights).toBe(16 * 292_800);
    expect(by("full-dapt").memory.trainable).toBe(0);
    expect(by("lora-r16").memory.weights).toBe(1_171_200);
    expect(by("lora-r16").memory.trainable).toBe(16 * loraParams(s, 16));
  });

  it("sizes a Q4_K base at 144 bytes per 256 weights, norms kept F32", () => {
    const norms = 5 * 2 * 64 + 64;
    expect(by("lora-r16-q4_K").memory.weights).toBe(Math.round((292_800 - norms) * (144 / 256) + norms * 4));
  });
});

describe("plan", () => {
  const calibration = (gflops: number): CalibrationFile => ({
    formatVersion: 1, machineKey: "k", measuredAt: "2025-01-01T00:00:00Z",
    machine: { cpuModel: "x", logicalCores: 2, ramBytes: 0, gpus: [] },
    versions: { localtune: "0.1.0", nodeLlamaCpp: "3.21.1", llamaCppRelease: "v" },
    entries: (["forward", "frozen", "full"] as const).flatMap((mode) =>
      ["f32", "f16", "q8_0", "q4_K"].map((baseType) => ({ backend: "cpu" as const, mode, baseType, gflops, threads: 2, tokens: 1, seconds: 1 })),
    ),
  });
  const base = { tokens: 1_000_000, options: { ctx: 512, batch: 4, virtualTokens: 20 }, backend: "cpu" as const, budgetHours: 8 };

  it("without calibration gives no times, ranks by FLOPs and says so", () => {
    const plan = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 16 * GIB });
    expect(plan.calibrated).toBe(false);
    expect(plan.rankedBy).toBe("flops");
    expect(plan.rungs.every((r) => r.epochSeconds === null)).toBe(true);
    expect(plan.rungs[0]!.id).toBe("prompt-rag");
    expect(plan.rungs.at(-1)!.id).toBe("full-dapt");
    const flops = plan.rungs.map((r) => r.epochFlops);
    expect(flops).toEqual([...flops].sort((a, b) => a - b));
    expect(plan.recommendation.reason.en).toMatch(/unknown until calibration/);
  });

  it("with a calibration, time per epoch = epoch FLOPs / measured GFLOP/s", () => {
    const plan = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 16 * GIB, calibration: calibration(50) });
    const full = plan.rungs.find((r) => r.id === "full-dapt")!;
    expect(full.epochSeconds).toBeCloseTo(full.epochFlops / 50e9, 6);
    expect(plan.rankedBy).toBe("time");
  });

  it("excludes rungs that do not fit and full DAPT on a small dataset", () => {
    const plan = planRungs({ ...base, shape: shape("llama-3.1-8b"), memoryBytes: 8 * GIB });
    expect(plan.rungs.find((r) => r.id === "full-dapt")!.fit).toBe("no");
    expect(plan.rungs.find((r) => r.id === "lora-r16")!.fit).toBe("no");
    expect(plan.rungs.find((r) => r.id === "full-dapt")!.notes.some((n) => /overfit/.test(n.en))).toBe(true);
    expect(["lora-r16-q4_K", "prompt-rag"]).toContain(plan.recommendation.rung);
  });

  it("falls back to prompts / RAG when nothing trains in the memory there is", () => {
    const plan = planRungs({ ...base, shape: shape("llama-3.1-8b"), memoryBytes: 1 * GIB });
    expect(plan.recommendation.rung).toBe("prompt-rag");
    expect(plan.recommendation.reason.en).toMatch(/no training rung fits in 1.0 GiB/);
  });

  it("drops rungs slower than the time budget once times are known", () => {
    const slow = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 64 * GIB, calibration: calibration(0.001) });
    expect(slow.recommendation.rung).toBe("prompt-rag");
  });
});

describe("calibration cache", () => {
  const machine = { cpuModel: "Intel(R) Xeon(R) Processor", logicalCores: 2, ramBytes: 24 * GIB, gpus: [] };
  const versions = { localtune: "0.1.0", nodeLlamaCpp: "3.21.1", llamaCppRelease: "v0.4.0" };

  it("turns measured seconds into GFLOP/s with the planner's FLOP rule and reads it back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-cal-"));
    const cases = calibrationCases("cpu");
    const { file, calibration } = await calibrate({
      measure: async () => ({ tokens: 512, seconds: 2, threads: 2 }),
      cases, machine, versions, dir,
    });
    expect(calibration.entries).toHaveLength(cases.length);
    expect(calibration.entries[0]!.gflops).toBeCloseTo((caseFlopsPerToken(cases[0]!) * 512) / 2 / 1e9, 9);
    const loaded = loadCalibration(dir, machineKey(machine, versions));
    expect(loaded.status).toBe("calibrated");
    expect(loaded.file).toBe(file);
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
  });

  it("keys the cache by machine and version, and reports a damaged file instead of ignoring it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-cal-"));
    const key = machineKey(machine, versions);
    expect(machineKey(machine, { ...versions, nodeLlamaCpp: "3.22.0" })).not.toBe(key);
    expect(loadCalibration(dir, key).status).toBe("missing");
    fs.writeFileSync(path.join(dir, `calibration-${key}.json`), '{"formatVersion": 1, "entries": "x"}');
    const state = loadCalibration(dir, key);
    expect(state.status).toBe("invalid");
    saveCalibration(dir, { formatVersion: 1, machineKey: key, machine, versions, measuredAt: "t", entries: [] });
    expect(loadCalibration(dir, key).status).toBe("calibrated");
  });
});
