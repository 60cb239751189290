// Calibration: measured speed of the training engine on this machine, cached per machine and version. The engine
// benchmark (measure.ts) times real steps of a small and a mid-size shape; this file turns the timings into a step-time
// model (per-layer dispatch cost + FLOPs / GFLOP/s, plus the optimizer), fits it, stores it atomically and applies it.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { countParams, type ModelShape } from "./model-shape.js";
import { forwardEstimate, fullEstimate, loraEstimate, type ComputeMode } from "./rungs.js";

export const CALIBRATION_FORMAT_VERSION = 2;

export const BackendSchema = z.enum(["cpu", "cuda", "vulkan", "metal"]).describe("ggml compute backend");
export type Backend = z.infer<typeof BackendSchema>;
const ModeSchema = z.enum(["forward", "frozen", "full"]).describe("forward only, backward through a frozen base (LoRA), or every weight trained");

export const CalibrationEntrySchema = z.object({
  backend: BackendSchema.describe("backend the benchmark ran on"),
  mode: ModeSchema,
  baseType: z.string().describe("ggml type of the frozen weights in the benchmark (f32, f16, q8_0, q4_K)"),
  threads: z.number().int().positive().describe("CPU threads the engine used"),
  shape: z.string().describe("name of the benchmark shape"),
  nLayer: z.number().int().positive().describe("layers of the benchmark shape"),
  ctx: z.number().int().positive().describe("tokens per sequence"),
  batch: z.number().int().positive().describe("sequences per micro-batch"),
  flops: z.number().positive().describe("FLOPs of one micro-batch by the planner's rule for the mode"),
  microBatchSeconds: z.number().positive().describe("median seconds of one forward(+backward) pass, warm-up excluded"),
  optimizerSeconds: z.number().nonnegative().describe("median seconds of one AdamW step (0 for forward)"),
  trainableParams: z.number().int().nonnegative().describe("parameters the optimizer updated"),
  gflops: z.number().positive().describe("effective GFLOP/s of the case: flops / microBatchSeconds"),
});
export type CalibrationEntry = z.infer<typeof CalibrationEntrySchema>;

export const ThroughputFitSchema = z.object({
  backend: BackendSchema.describe("backend"),
  mode: ModeSchema,
  baseType: z.string().describe("frozen weight type"),
  threads: z.number().int().positive().describe("CPU threads"),
  gflops: z.number().positive().describe("marginal GFLOP/s: the cost of arithmetic once dispatch is paid"),
  secondsPerLayer: z.number().nonnegative().describe("fixed cost of one micro-batch per block (+1 for the head): graph dispatch, thread sync, small ops"),
});
export type ThroughputFit = z.infer<typeof ThroughputFitSchema>;

export const OptimizerFitSchema = z.object({
  backend: BackendSchema.describe("backend"),
  threads: z.number().int().positive().describe("CPU threads"),
  secondsPerStep: z.number().nonnegative().describe("fixed cost of an AdamW step"),
  secondsPerParam: z.number().nonnegative().describe("cost per trainable parameter (memory-bound: the weight, gradient and two moments)"),
});
export type OptimizerFit = z.infer<typeof OptimizerFitSchema>;

export const MachineIdentitySchema = z.object({
  cpuModel: z.string().describe("CPU model string"),
  logicalCores: z.number().int().describe("hardware threads"),
  ramBytes: z.number().describe("total RAM, rounded to GiB so small reporting differences do not split the cache"),
  gpus: z.array(z.string()).describe("GPU names the runtime reported"),
});
export type MachineIdentity = z.infer<typeof MachineIdentitySchema>;

export const VersionsSchema = z.object({
  localtune: z.string().describe("localtune version"),
  nodeLlamaCpp: z.string().describe("node-llama-cpp version (its ggml is the engine)"),
  llamaCppRelease: z.string().describe("llama.cpp release of the loaded binaries"),
});
export type Versions = z.infer<typeof VersionsSchema>;

export const CalibrationFileSchema = z.object({
  formatVersion: z.literal(CALIBRATION_FORMAT_VERSION).describe("layout of this file"),
  machineKey: z.string().describe("hash of machine and versions: a different machine or upgrade gets a new file"),
  machine: MachineIdentitySchema.describe("what the key was computed from"),
  versions: VersionsSchema.describe("software the figures belong to"),
  measuredAt: z.string().describe("ISO time of the latest calibration"),
  runtimeBytes: z.number().positive().describe("resident memory of a process with the engine, ggml and llama.cpp loaded, before any model"),
  entries: z.array(CalibrationEntrySchema).describe("one entry per benchmark case and thread count"),
  fits: z.array(ThroughputFitSchema).describe("step-time model per backend, mode, base type and thread count"),
  optimizer: z.array(OptimizerFitSchema).describe("AdamW step-time model per backend and thread count"),
});
export type CalibrationFile = z.infer<typeof CalibrationFileSchema>;

/** One benchmark the engine runs: a shape in one mode and base type. */
export interface CalibrationCase {
  backend: Backend;
  mode: ComputeMode;
  baseType: string;
  shape: ModelShape;
  ctx: number;
  batch: number;
}

/** What the engine reports for a case: medians of timed steps after a warm-up. */
export interface CalibrationMeasurement {
  microBatchSeconds: number;
  optimizerSeconds: number;
  trainableParams: number;
  /** Frozen cases in a non-F32 type: the forward pass alone on the same model. */
  forwardSeconds?: number;
}

/** Cache folder: LOCALTUNE_CACHE_DIR, else the platform's user cache folder. */
export function calibrationCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LOCALTUNE_CACHE_DIR) return env.LOCALTUNE_CACHE_DIR;
  if (platform === "win32") return path.win32.join(env.LOCALAPPDATA ?? path.win32.join(os.homedir(), "AppData", "Local"), "localtune", "cache");
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "localtune");
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "localtune");
}

export function machineKey(machine: MachineIdentity, versions: Versions): string {
  const text = JSON.stringify({ machine, versions });
  return crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function calibrationPath(dir: string, key: string): string {
  return path.join(dir, `calibration-${key}.json`);
}

export type CalibrationState =
  | { status: "calibrated"; file: string; calibration: CalibrationFile }
  | { status: "missing"; file: string }
  | { status: "invalid"; file: string; reason: string };

/** Reads this machine's calibration; a damaged or older-format file is reported as invalid (with why), never silently ignored. */
export function loadCalibration(dir: string, key: string): CalibrationState {
  const file = calibrationPath(dir, key);
  if (!fs.existsSync(file)) return { status: "missing", file };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return { status: "invalid", file, reason: (error as Error).message };
  }
  const parsed = CalibrationFileSchema.safeParse(json);
  if (!parsed.success) return { status: "invalid", file, reason: z.prettifyError(parsed.error) };
  if (parsed.data.machineKey !== key) return { status: "invalid", file, reason: `machineKey ${parsed.data.machineKey} != ${key}` };
  return { status: "calibrated", file, calibration: parsed.data };
}

/** Writes the calibration to a temporary file, then renames it into place. */
export function saveCalibration(dir: string, calibration: CalibrationFile): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = calibrationPath(dir, calibration.machineKey);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(calibration, null, 2));
  fs.renameSync(temp, file);
  return file;
}

/** Least squares y ~ a x1 + b x2 with a, b >= 0 (a negative coefficient is dropped and the other refitted). */
function fitNonNegative(points: ReadonlyArray<{ x1: number; x2: number; y: number }>): { a: number; b: number } {
  const s = (f: (p: { x1: number; x2: number; y: number }) => number) => points.reduce((sum, p) => sum + f(p), 0);
  const s11 = s((p) => p.x1 * p.x1), s22 = s((p) => p.x2 * p.x2), s12 = s((p) => p.x1 * p.x2);
  const s1y = s((p) => p.x1 * p.y), s2y = s((p) => p.x2 * p.y);
  const det = s11 * s22 - s12 * s12;
  if (points.length >= 2 && det > 1e-12 * s11 * s22) {
    const a = (s1y * s22 - s2y * s12) / det;
    const b = (s2y * s11 - s1y * s12) / det;
    if (a >= 0 && b >= 0) return { a, b };
  }
  const onlyB = s22 > 0 ? Math.max(0, s2y / s22) : 0;
  const onlyA = s11 > 0 ? Math.max(0, s1y / s11) : 0;
  const err = (a: number, b: number) => s((p) => (p.y - a * p.x1 - b * p.x2) ** 2);
  return err(0, onlyB) <= err(onlyA, 0) ? { a: 0, b: onlyB } : { a: onlyA, b: 0 };
}

/** Fits the step-time model to the entries of one backend and thread count. Per mode, the F32 cases (a small and a
 *  mid-size shape) give the per-layer cost and the GFLOP/s; other base types, measured on the mid-size shape only,
 *  reuse the mode's per-layer cost. The optimizer is fitted over every training case. */
export function fitCalibration(entries: readonly CalibrationEntry[]): { fits: ThroughputFit[]; optimizer: OptimizerFit[] } {
  const fits: ThroughputFit[] = [];
  const optimizer: OptimizerFit[] = [];
  const groups = new Map<string, CalibrationEntry[]>();
  for (const e of entries) {
    const key = `${e.backend}/${e.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const group of groups.values()) {
    const { backend, threads } = group[0]!;
    for (const mode of ["forward", "frozen", "full"] as const) {
      const ofMode = group.filter((e) => e.mode === mode);
      const point = (e: CalibrationEntry) => ({ x1: e.nLayer + 1, x2: e.flops / 1e9, y: e.microBatchSeconds });
      const f32 = ofMode.filter((e) => e.baseType === "f32");
      if (f32.length === 0) continue;
      const { a: secondsPerLayer, b: secondsPerGflop } = fitNonNegative(f32.map(point));
      if (secondsPerGflop > 0) fits.push({ backend, mode, baseType: "f32", threads, gflops: 1 / secondsPerGflop, secondsPerLayer });
      for (const type of new Set(ofMode.map((e) => e.baseType).filter((t) => t !== "f32"))) {
        const points = ofMode.filter((e) => e.baseType === type).map(point);
        // The arithmetic left once the mode's dispatch cost is taken out.
        const b = fitNonNegative(points.map((p) => ({ x1: 0, x2: p.x2, y: Math.max(p.y - secondsPerLayer * p.x1, 0.2 * p.y) }))).b;
        if (b > 0) fits.push({ backend, mode, baseType: type, threads, gflops: 1 / b, secondsPerLayer });
      }
    }
    const steps = group.filter((e) => e.mode !== "forward");
    if (steps.length > 0) {
      const { a, b } = fitNonNegative(steps.map((e) => ({ x1: 1, x2: e.trainableParams, y: e.optimizerSeconds })));
      optimizer.push({ backend, threads, secondsPerStep: a, secondsPerParam: b });
    }
  }
  return { fits, optimizer };
}

export interface StepQuery {
  backend: Backend;
  threads: number;
  mode: ComputeMode;
  baseType: string;
  nLayer: number;
  /** FLOPs of one micro-batch by the planner's rule. */
  flops: number;
  trainableParams: number;
}

/** Seconds of one optimizer step of one micro-batch (for forward: one pass), or null when the calibration has no
 *  fit for this backend, thread count, mode and base type. */
export function estimateStepSeconds(calibration: CalibrationFile | undefined, q: StepQuery): { seconds: number; fit: ThroughputFit } | null {
  const fit = calibration?.fits.find((f) => f.backend === q.backend && f.threads === q.threads && f.mode === q.mode && f.baseType === q.baseType);
  if (!fit) return null;
  let seconds = fit.secondsPerLayer * (q.nLayer + 1) + q.flops / (fit.gflops * 1e9);
  if (q.mode !== "forward") {
    const opt = calibration!.optimizer.find((o) => o.backend === q.backend && o.threads === q.threads);
    if (!opt) return null;
    seconds += opt.secondsPerStep + opt.secondsPerParam * q.trainableParams;
  }
  return { seconds, fit };
}

/** Thread counts this calibration covers on a backend. */
export function calibratedThreads(calibration: CalibrationFile | undefined, backend: Backend): number[] {
  return [...new Set(calibration?.fits.filter((f) => f.backend === backend).map((f) => f.threads) ?? [])].sort((a, b) => a - b);
}

/** Measures every case with the engine and stores the result, replacing earlier entries of the same backend and
 *  thread count and keeping the others. */
export async function calibrate(options: {
  measure: (cases: CalibrationCase[], threads: number) => Promise<{ runtimeBytes: number; results: CalibrationMeasurement[] }>;
  cases: CalibrationCase[];
  threads: number;
  machine: MachineIdentity;
  versions: Versions;
  dir?: string;
}): Promise<{ file: string; calibration: CalibrationFile }> {
  const dir = options.dir ?? calibrationCacheDir();
  const key = machineKey(options.machine, options.versions);
  const { runtimeBytes, results } = await options.measure(options.cases, options.threads);
  const entry = (c: CalibrationCase, m: CalibrationMeasurement) => {
    const flops = caseFlops(c);
    return CalibrationEntrySchema.parse({
      backend: c.backend,
      mode: c.mode,
      baseType: c.baseType,
      threads: options.threads,
      shape: c.shape.name,
      nLayer: c.shape.nLayer,
      ctx: c.ctx,
      batch: c.batch,
      flops,
      microBatchSeconds: m.microBatchSeconds,
      optimizerSeconds: m.optimizerSeconds,
      trainableParams: m.trainableParams,
      gflops: flops / m.microBatchSeconds / 1e9,
    });
  };
  const fresh = options.cases.flatMap((c, i) => {
    const m = results[i]!;
    const forward = m.forwardSeconds === undefined ? [] : [entry({ ...c, mode: "forward" }, { microBatchSeconds: m.forwardSeconds, optimizerSeconds: 0, trainableParams: 0 })];
    return [entry(c, m), ...forward];
  });
  const previous = loadCalibration(dir, key);
  const backends = new Set(options.cases.map((c) => c.backend));
  const kept = previous.status === "calibrated"
    ? previous.calibration.entries.filter((e) => !(backends.has(e.backend) && e.threads === options.threads))
    : [];
  const entries = [...kept, ...fresh];
  const calibration: CalibrationFile = {
    formatVersion: CALIBRATION_FORMAT_VERSION,
    machineKey: key,
    machine: options.machine,
    versions: options.versions,
    measuredAt: new Date().toISOString(),
    runtimeBytes,
    entries,
    ...fitCalibration(entries),
  };
  const file = saveCalibration(dir, calibration);
  return { file, calibration };
}

/** Rank of the LoRA adapter that stands for the frozen-base mode in the benchmark. */
export const CALIBRATION_LORA_RANK = 8;

/** FLOPs of one micro-batch of a case by the planner's rule for its mode, so calibration and plan use one rule. */
export function caseFlops(c: CalibrationCase): number {
  const o = { ctx: c.ctx, batch: c.batch, virtualTokens: 0, runtimeBytes: 0 };
  const shape = { ...c.shape, weightType: c.baseType };
  const estimate =
    c.mode === "full" ? fullEstimate(shape, o) : c.mode === "frozen" ? loraEstimate(shape, o, CALIBRATION_LORA_RANK, c.baseType) : forwardEstimate(shape, o);
  return estimate.flopsPerToken * c.ctx * c.batch;
}

function benchShape(name: string, source: string, s: Omit<ModelShape, "name" | "source" | "totalParams" | "weightBytes" | "weightType" | "arch" | "nCtxTrain" | "tiedEmbeddings" | "qkvBias">): ModelShape {
  const shape = { name, source, arch: "llama", nCtxTrain: 2048, tiedEmbeddings: false, qkvBias: false, weightType: "f32", ...s };
  const totalParams = countParams(shape);
  return { ...shape, totalParams, weightBytes: 4 * totalParams };
}

/** The small benchmark shape: stories260K's (5 layers, d 64), where dispatch costs dominate. */
export const CALIBRATION_SMALL = benchShape("calibration-small", "stories260K's shape (models/README.md)", {
  nLayer: 5, nEmbd: 64, nFf: 172, nHead: 8, nHeadKv: 4, headDim: 8, nVocab: 512,
});

/** The mid-size shape, where arithmetic dominates: the engine spike's reference (d 576, ffn 1536, 9 / 3 heads) with 4
 *  layers and vocab 4096 so a case stays within a few seconds. */
export const CALIBRATION_MID = benchShape("calibration-mid", "the reference training shape (docs/engine-notes.md), 4 layers", {
  nLayer: 4, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, headDim: 64, nVocab: 4096,
});

/** K-quants pack 256 values per block, so every row length must be a multiple of 256: d 512 for the Q4_K case. */
export const CALIBRATION_MID_K = benchShape("calibration-mid-k", "reference shape with d 512 for K-quant rows", {
  nLayer: 4, nEmbd: 512, nFf: 1536, nHead: 8, nHeadKv: 4, headDim: 64, nVocab: 4096,
});

/** The cases a calibration measures on a backend: both shapes in F32 for every mode, and the mid-size shape with a
 *  frozen base in each other type the plan uses. */
export function calibrationCases(backend: Backend): CalibrationCase[] {
  const small = { backend, shape: CALIBRATION_SMALL, ctx: 64, batch: 4, baseType: "f32" };
  const mid = { backend, shape: CALIBRATION_MID, ctx: 64, batch: 2 };
  return [
    { ...small, mode: "full" },
    { ...small, mode: "frozen" },
    { ...small, mode: "forward" },
    { ...mid, mode: "full", baseType: "f32" },
    { ...mid, mode: "frozen", baseType: "f32" },
    { ...mid, mode: "forward", baseType: "f32" },
    { ...mid, mode: "frozen", baseType: "f16" },
    { ...mid, mode: "frozen", baseType: "q8_0" },
    { ...mid, shape: CALIBRATION_MID_K, mode: "frozen", baseType: "q4_K" },
  ];
}
