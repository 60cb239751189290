// The planner's arithmetic against independent figures: published parameter counts of real models, PEFT's
// trainable-parameter counts for LoRA, and FLOP / memory values worked out by hand for stories260K.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  calibrate,
  calibrationCases,
  caseFlops,
  estimateStepSeconds,
  fitCalibration,
  loadCalibration,
  machineKey,
  saveCalibration,
  type CalibrationEntry,
  type CalibrationFile,
} from "./calibration.js";
import { readGgufModelShape } from "./gguf-shape.js";
import { countParams, KNOWN_MODEL_SHAPES } from "./model-shape.js";
import { planRungs } from "./plan.js";
import { bitfitParams } from "../methods/bitfit/doctor.js";
import { loraParams } from "../methods/lora/doctor.js";
import { prefixParams } from "../methods/prefix-tuning/doctor.js";
import { estimateRungs, forwardEstimate } from "./rungs.js";

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
  const rungs = estimateRungs(s, { ctx: 256, batch: 1, virtualTokens: 20, runtimeBytes: 0 });
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
    const full = by("full-dapt").memory;
    expect(full.weightBytes + full.trainableValueBytes + full.gradientBytes + full.optimizerBytes).toBe(16 * 292_800);
    const lora = by("lora-r16").memory;
    expect(lora.weightBytes).toBe(1_171_200);
    // The adapter's values, gradients and two AdamW moments: 16 bytes per adapter parameter.
    expect(lora.trainableValueBytes + lora.gradientBytes + lora.optimizerBytes).toBe(16 * loraParams(s, 16));
  });

  it("sizes a Q4_K base at 144 bytes per 256 weights, norms kept F32", () => {
    const norms = 5 * 2 * 64 + 64;
    const q4 = by("lora-r16-q4_K").memory;
    expect(q4.weightBytes).toBe(Math.round((292_800 - norms) * (144 / 256) + norms * 4));
  });
});

describe("plan", () => {
  // Every mode and type at `gflops`, no dispatch cost, an optimizer at 1 ns per parameter.
  const calibration = (gflops: number): CalibrationFile => ({
    formatVersion: 2, machineKey: "k", measuredAt: "2025-01-01T00:00:00Z", runtimeBytes: 150 * 2 ** 20,
    machine: { cpuModel: "x", logicalCores: 2, ramBytes: 0, gpus: [] },
    versions: { localtune: "0.1.0", nodeLlamaCpp: "3.21.1", llamaCppRelease: "v" },
    entries: [],
    fits: (["forward", "frozen", "full"] as const).flatMap((mode) =>
      ["f32", "f16", "q8_0", "q4_K"].map((baseType) => ({ backend: "cpu" as const, mode, baseType, threads: 2, gflops, secondsPerLayer: 0 })),
    ),
    optimizer: [{ backend: "cpu", threads: 2, secondsPerStep: 0, secondsPerParam: 1e-9 }],
  });
  const base = { tokens: 1_000_000, options: { ctx: 512, batch: 4, virtualTokens: 20, runtimeBytes: 0 }, backend: "cpu" as const, threads: 2, budgetHours: 8 };

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

  it("with a calibration, time per epoch = epoch FLOPs / GFLOP/s + one optimizer step per micro-batch", () => {
    const plan = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 64 * GIB, calibration: calibration(50) });
    const full = plan.rungs.find((r) => r.id === "full-dapt")!;
    expect(full.checkpointed).toBe(false);
    const steps = Math.ceil(1_000_000 / (512 * 4));
    expect(full.epochSteps).toBe(steps);
    expect(full.epochSeconds).toBeCloseTo(steps * ((full.flopsPerToken * 2048) / 50e9 + 494_032_768 * 1e-9), 6);
    expect(plan.rankedBy).toBe("time");
    // Another thread count is not calibrated: no times.
    expect(planRungs({ ...base, threads: 1, shape: shape("qwen2.5-0.5b"), memoryBytes: 16 * GIB, calibration: calibration(50) }).calibrated).toBe(false);
  });

  it("excludes rungs that do not fit and full DAPT on a small dataset", () => {
    const plan = planRungs({ ...base, shape: shape("llama-3.1-8b"), memoryBytes: 8 * GIB });
    expect(plan.rungs.find((r) => r.id === "full-dapt")!.fit).toBe("no");
    expect(plan.rungs.find((r) => r.id === "lora-r16")!.fit).toBe("no");
    expect(plan.rungs.find((r) => r.id === "full-dapt")!.notes.some((n) => /overfit/.test(n.en))).toBe(true);
    expect(["lora-r16-q4_K", "prompt-rag"]).toContain(plan.recommendation.rung);
  });

  it("plans a rung that fits only with activation checkpointing as checkpointed (as training does by itself)", () => {
    const roomy = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 64 * GIB, calibration: calibration(50) });
    const tight = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 8 * GIB, calibration: calibration(50) });
    const plain = roomy.rungs.find((r) => r.id === "lora-r16")!;
    const lora = tight.rungs.find((r) => r.id === "lora-r16")!;
    expect(plain.checkpointed).toBe(false);
    expect(plain.memory.totalBytes).toBeGreaterThan(8 * GIB); // every block's activations would not fit in 8 GiB
    expect(lora.checkpointed).toBe(true);
    expect(lora.fit).not.toBe("no");
    // Activations of 24 blocks x 2048 tokens dominate; checkpointing keeps one block's and every block's input.
    expect(lora.memory.totalBytes).toBeLessThan(0.6 * plain.memory.totalBytes);
    // The step also recomputes the forward pass: 2N + A per token at the calibration's 50 GFLOP/s.
    expect(lora.stepSeconds! - plain.stepSeconds!).toBeCloseTo((forwardEstimate(shape("qwen2.5-0.5b"), base.options).flopsPerToken * 2048) / 50e9, 6);
    expect(lora.notes.some((n) => /checkpointing on by itself/.test(n.en) && /자동으로/.test(n.ko))).toBe(true);
    // A rung that already fits gets no such note.
    expect(plain.notes.some((n) => /checkpointing/.test(n.en))).toBe(false);
  });

  it("points to --kernel-layouts for quantized rungs only on a CPU with AMX", () => {
    const notesOf = (cpuHasAmx: boolean, id: string) => planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 64 * GIB, cpuHasAmx }).rungs.find((r) => r.id === id)!.notes;
    expect(notesOf(true, "lora-r16-q8_0").some((n) => /--kernel-layouts/.test(n.en) && /--kernel-layouts/.test(n.ko))).toBe(true);
    expect(notesOf(false, "lora-r16-q8_0").some((n) => /--kernel-layouts/.test(n.en))).toBe(false);
    expect(notesOf(true, "full-dapt").some((n) => /--kernel-layouts/.test(n.en))).toBe(false);
  });

  it("falls back to prompts / RAG when nothing trains in the memory there is", () => {
    const plan = planRungs({ ...base, shape: shape("llama-3.1-8b"), memoryBytes: 1 * GIB });
    expect(plan.recommendation.rung).toBe("prompt-rag");
    expect(plan.recommendation.reason.en).toMatch(/no training rung fits in 1.0 GiB/);
  });

  it("drops rungs slower than the time budget once times are known", () => {
    const slow = planRungs({ ...base, shape: shape("qwen2.5-0.5b"), memoryBytes: 64 * GIB, calibration: calibration(0.001) });
    expect(slow.recommendation.rung).toBe("prompt-rag");
    expect(slow.recommendation.reason.en).toMatch(/fits in memory, but every rung takes longer than 8 h per epoch/);
  });
});

describe("calibration fit", () => {
  const entry = (mode: CalibrationEntry["mode"], baseType: string, nLayer: number, gflop: number, seconds: number, params = 0, opt = 0): CalibrationEntry => ({
    backend: "cpu", mode, baseType, threads: 1, shape: "s", nLayer, ctx: 64, batch: 1, flops: gflop * 1e9,
    microBatchSeconds: seconds, optimizerSeconds: opt, trainableParams: params, gflops: gflop / seconds,
  });

  it("recovers per-layer cost and GFLOP/s from a small and a mid-size shape, and applies them to other types", () => {
    // Made-up machine: 10 ms per (layer + 1), 20 GFLOP/s for F32; the q8_0 case pays the same dispatch at 5 GFLOP/s.
    const t = (layers: number, gflop: number, g: number) => 0.01 * (layers + 1) + gflop / g;
    const { fits, optimizer } = fitCalibration([
      entry("frozen", "f32", 5, 0.2, t(5, 0.2, 20), 1000, 0.001 + 1000 * 1e-8),
      entry("frozen", "f32", 4, 8, t(4, 8, 20), 600_000, 0.001 + 600_000 * 1e-8),
      entry("frozen", "q8_0", 4, 8, t(4, 8, 5), 600_000, 0.001 + 600_000 * 1e-8),
    ]);
    const f32 = fits.find((f) => f.baseType === "f32")!;
    expect(f32.secondsPerLayer).toBeCloseTo(0.01, 9);
    expect(f32.gflops).toBeCloseTo(20, 6);
    expect(fits.find((f) => f.baseType === "q8_0")!.gflops).toBeCloseTo(5, 6);
    expect(optimizer[0]!.secondsPerStep).toBeCloseTo(0.001, 9);
    expect(optimizer[0]!.secondsPerParam).toBeCloseTo(1e-8, 12);
    const file = { fits, optimizer } as unknown as CalibrationFile;
    const step = estimateStepSeconds(file, { backend: "cpu", threads: 1, mode: "frozen", baseType: "q8_0", nLayer: 24, flops: 100e9, trainableParams: 1e6 });
    expect(step!.seconds).toBeCloseTo(0.25 + 20 + 0.001 + 0.01, 6);
    expect(estimateStepSeconds(file, { backend: "cpu", threads: 2, mode: "frozen", baseType: "q8_0", nLayer: 24, flops: 1, trainableParams: 1 })).toBeNull();
  });
});

describe("calibration cache", () => {
  const machine = { cpuModel: "Intel(R) Xeon(R) Processor", logicalCores: 2, ramBytes: 24 * GIB, gpus: [] };
  const versions = { localtune: "0.1.0", nodeLlamaCpp: "3.21.1", llamaCppRelease: "v0.4.0" };

  it("turns measured seconds into GFLOP/s with the planner's FLOP rule, keeps other thread counts and reads it back", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-cal-"));
    const cases = calibrationCases("cpu");
    const measure = async (list: typeof cases) => ({
      runtimeBytes: 150e6,
      results: list.map(() => ({ microBatchSeconds: 2, optimizerSeconds: 0.1, trainableParams: 1000 })),
    });
    await calibrate({ measure, cases, threads: 2, machine, versions, dir });
    const { file, calibration } = await calibrate({ measure, cases, threads: 1, machine, versions, dir });
    expect(calibration.entries).toHaveLength(2 * cases.length);
    expect(calibration.entries.at(-1)!.gflops).toBeCloseTo(caseFlops(cases.at(-1)!) / 2 / 1e9, 9);
    const loaded = loadCalibration(dir, machineKey(machine, versions));
    expect(loaded.status).toBe("calibrated");
    expect(loaded.file).toBe(file);
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]);
  });

  it("keys the cache by machine and version, and reports a damaged or old-format file instead of ignoring it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-cal-"));
    const key = machineKey(machine, versions);
    expect(machineKey(machine, { ...versions, nodeLlamaCpp: "3.22.0" })).not.toBe(key);
    expect(loadCalibration(dir, key).status).toBe("missing");
    fs.writeFileSync(path.join(dir, `calibration-${key}.json`), '{"formatVersion": 1, "entries": "x"}');
    const state = loadCalibration(dir, key);
    expect(state.status).toBe("invalid");
    saveCalibration(dir, { formatVersion: 2, machineKey: key, machine, versions, measuredAt: "t", runtimeBytes: 1, entries: [], fits: [], optimizer: [] });
    expect(loadCalibration(dir, key).status).toBe("calibrated");
  });
});
