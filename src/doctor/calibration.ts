// Calibration: measured throughput of the training engine on this machine, cached per machine and version.
// The engine supplies the measurement (a few real steps of a representative shape); this file turns it into
// effective GFLOP/s with the same FLOP rules the planner uses, and stores it atomically.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { countParams, type ModelShape } from "./model-shape.js";
import { estimateRungs, type ComputeMode, type RungId } from "./rungs.js";

export const CALIBRATION_FORMAT_VERSION = 1;

export const BackendSchema = z.enum(["cpu", "cuda", "vulkan", "metal"]).describe("ggml compute backend");
export type Backend = z.infer<typeof BackendSchema>;

export const CalibrationEntrySchema = z.object({
  backend: BackendSchema.describe("backend the benchmark ran on"),
  mode: z.enum(["forward", "frozen", "full"]).describe("forward only, backward through a frozen base, or every weight trained"),
  baseType: z.string().describe("ggml type of the frozen weights in the benchmark (f32, f16, q8_0, q4_K)"),
  gflops: z.number().positive().describe("effective GFLOP/s: the planner's FLOP rule for the mode times tokens, over measured seconds"),
  threads: z.number().int().positive().describe("CPU threads the engine used"),
  tokens: z.number().int().positive().describe("tokens processed in the timed steps"),
  seconds: z.number().positive().describe("wall time of the timed steps, warm-up excluded"),
  peakBytes: z.number().nonnegative().optional().describe("peak memory the engine measured, when it could"),
});
export type CalibrationEntry = z.infer<typeof CalibrationEntrySchema>;

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
  measuredAt: z.string().describe("ISO time of the calibration"),
  entries: z.array(CalibrationEntrySchema).describe("one entry per backend, mode and base type measured"),
});
export type CalibrationFile = z.infer<typeof CalibrationFileSchema>;

/** One benchmark the engine runs: a representative shape in one mode and base type. */
export interface CalibrationCase {
  backend: Backend;
  mode: ComputeMode;
  baseType: string;
  shape: ModelShape;
  ctx: number;
  batch: number;
}

/** What the engine reports for a case: timed steps after a warm-up. */
export interface CalibrationMeasurement {
  tokens: number;
  seconds: number;
  threads: number;
  peakBytes?: number;
}

/** The engine's side of calibration: runs a case for real and measures it. */
export type CalibrationBenchmark = (c: CalibrationCase) => Promise<CalibrationMeasurement>;

/** Cache folder: LOCALTUNE_CACHE_DIR, else the platform's user cache folder. */
export function calibrationCacheDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LOCALTUNE_CACHE_DIR) return env.LOCALTUNE_CACHE_DIR;
  if (platform === "win32") return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), "AppData", "Local"), "localtune", "cache");
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

/** Reads this machine's calibration; a damaged file is reported as invalid (with why), never silently ignored. */
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

const RUNG_OF_CASE: Record<ComputeMode, RungId> = { forward: "prompt-rag", frozen: "lora-r16", full: "full-dapt" };

/** FLOPs per token the planner charges for a case, so calibration and plan use one rule. */
export function caseFlopsPerToken(c: CalibrationCase): number {
  const shape = { ...c.shape, weightType: c.baseType };
  const rung = estimateRungs(shape, { ctx: c.ctx, batch: c.batch, virtualTokens: 0 }).find((r) => r.id === RUNG_OF_CASE[c.mode]);
  return rung!.flopsPerToken;
}

/** Runs each case through the engine's benchmark and turns the timings into effective GFLOP/s. */
export async function calibrate(options: {
  measure: CalibrationBenchmark;
  cases: CalibrationCase[];
  machine: MachineIdentity;
  versions: Versions;
  dir?: string;
  onProgress?: (done: number, total: number, c: CalibrationCase) => void;
}): Promise<{ file: string; calibration: CalibrationFile }> {
  const entries: CalibrationEntry[] = [];
  for (const [i, c] of options.cases.entries()) {
    options.onProgress?.(i, options.cases.length, c);
    const m = await options.measure(c);
    entries.push(
      CalibrationEntrySchema.parse({
        backend: c.backend,
        mode: c.mode,
        baseType: c.baseType,
        gflops: (caseFlopsPerToken(c) * m.tokens) / m.seconds / 1e9,
        threads: m.threads,
        tokens: m.tokens,
        seconds: m.seconds,
        peakBytes: m.peakBytes,
      }),
    );
  }
  const key = machineKey(options.machine, options.versions);
  const calibration: CalibrationFile = {
    formatVersion: CALIBRATION_FORMAT_VERSION,
    machineKey: key,
    machine: options.machine,
    versions: options.versions,
    measuredAt: new Date().toISOString(),
    entries,
  };
  const file = saveCalibration(options.dir ?? calibrationCacheDir(), calibration);
  return { file, calibration };
}

/** The measured throughput for a rung's mode and base type on a backend, if that combination was calibrated. */
export function findThroughput(
  calibration: CalibrationFile | undefined,
  backend: Backend,
  mode: ComputeMode,
  baseType: string,
): CalibrationEntry | undefined {
  return calibration?.entries.find((e) => e.backend === backend && e.mode === mode && e.baseType === baseType);
}

/** Representative shape of the calibration benchmark: the reference model of the engine spike (FINDINGS.md: d 576,
 *  ffn 1536, 9 / 3 heads, vocab 8192), 4 layers so one case stays within a few seconds on two CPU threads. */
export const CALIBRATION_SHAPE: ModelShape = (() => {
  const shape = {
    name: "calibration-576",
    source: "shared/reference/ggml-koffi-spike reference shape",
    arch: "llama",
    nLayer: 4, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, headDim: 64, nVocab: 8192, ctxTrain: 2048,
    tiedEmbeddings: false, qkvBias: false, weightType: "f32",
  };
  const totalParams = countParams(shape);
  return { ...shape, totalParams, weightBytes: 4 * totalParams };
})();

/** The cases a full calibration measures on a backend: forward, full training, and a frozen base in each type. */
export function calibrationCases(backend: Backend): CalibrationCase[] {
  const base = { backend, shape: CALIBRATION_SHAPE, ctx: 256, batch: 2 };
  return [
    { ...base, mode: "forward", baseType: "f32" },
    { ...base, mode: "full", baseType: "f32" },
    ...["f32", "f16", "q8_0", "q4_K"].map((baseType) => ({ ...base, mode: "frozen" as const, baseType })),
  ];
}
