// `localtune doctor`: detects the machine, reads the calibration, and plans every rung for the user's model (or a
// table of common sizes) and data. Returns one report object; the CLI prints it as a table or JSON.
import fs from "node:fs";
import { InvalidConfigError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";
import { precisionAdvice } from "./precision-advice.js";
import { getLlamaRuntime } from "../native/llama-runtime.js";
import { resolveModelPath } from "../native/model-source.js";
import { resolveThreads } from "../native/threads.js";
import { currentDeviceChoice } from "../native/device-choice.js";
import {
  calibrate,
  calibratedThreads,
  calibrationCacheDir,
  calibrationCases,
  loadCalibration,
  machineKey,
  type Backend,
  type CalibrationCase,
  type CalibrationState,
  type MachineIdentity,
  type Versions,
} from "./calibration.js";
import type { CommandRunner } from "./command.js";
import { simdSummary } from "./cpu.js";
import { countDatasetTokens, type DatasetTokens } from "./dataset-tokens.js";
import { detectHardware, type DeviceSummary, type HardwareReport } from "./detect.js";
import { readGgufModelShape } from "./gguf-shape.js";
import { KNOWN_MODEL_SHAPES, type ModelShape } from "./model-shape.js";
import { measureEngine } from "./measure.js";
import { planRungs, type Plan } from "./plan.js";
import { ASSUMED_RUNTIME_BYTES, DEFAULT_RUNG_OPTIONS, type RungOptions } from "./rungs.js";

export interface DoctorOptions {
  /** GGUF model file to plan for. */
  model?: string;
  /** A known shape (see KNOWN_MODEL_SHAPES) when no file is at hand. */
  modelShape?: string;
  /** Prepared dataset folder, .jsonl records or a text file. */
  data?: string;
  /** Token count to plan for, instead of counting a dataset. */
  tokens?: number;
  ctx?: number;
  batch?: number;
  virtualTokens?: number;
  /** Longest acceptable epoch, for the recommendation once times are known. Default 8 h. */
  budgetHours?: number;
  /** Where runs will be written (free disk is measured there). Default: the current folder. */
  workspace?: string;
  /** Calibration cache folder. Default: calibrationCacheDir(). */
  cacheDir?: string;
  /** CPU threads training would use. Default: the engine's default (LOCALTUNE_THREADS, else every core). */
  threads?: number;
  /** "auto": benchmark the engine when no calibration covers these threads; "force": benchmark again; "skip": never
   *  (times stay unknown without a cached calibration). Default "auto". */
  calibration?: "auto" | "force" | "skip";
  /** Calibration progress (to stderr in the CLI). */
  onProgress?: (line: string) => void;
  run?: CommandRunner;
}

/** Tokens planned for when neither --data nor --tokens is given. */
export const DEFAULT_PLAN_TOKENS = 1_000_000;

export interface DoctorReport {
  localtuneVersion: string;
  hardware: HardwareReport;
  calibration: CalibrationState;
  /** CPU threads the plan's times are for. */
  threads: number;
  dataset: (DatasetTokens | { tokens: number; source: "given" | "default"; files: string[]; records: number });
  options: RungOptions;
  /** Memory the chosen backend can use for a plan. */
  memoryBytes: number;
  plans: Plan[];
  /** The same plans on each other usable device (a second GPU; the CPU when a GPU computes), times by FLOPs there. */
  otherDevices: Array<{ device: DeviceSummary; backend: Backend; memoryBytes: number; plans: Plan[] }>;
  verdict: Bilingual;
}

function localtuneVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function resolveShapeName(name: string): ModelShape {
  const key = name.toLowerCase();
  const shape = KNOWN_MODEL_SHAPES[key];
  if (!shape) {
    const known = Object.keys(KNOWN_MODEL_SHAPES).join(", ");
    throw new InvalidConfigError({
      en: `unknown model shape "${name}": known shapes are ${known}. Or give a GGUF file with --model.`,
      ko: `알 수 없는 모델 형태 "${name}": 알려진 형태는 ${known}입니다. 또는 --model로 GGUF 파일을 지정하세요.`,
    });
  }
  return shape;
}

/** Token counts with the model's own tokenizer: node-llama-cpp loads only the vocabulary. */
async function modelTokenizer(modelPath: string): Promise<{ count: (text: string) => number; dispose: () => Promise<void> }> {
  const llama = await getLlamaRuntime();
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  return { count: (text) => model.tokenize(text).length, dispose: () => model.dispose() };
}

async function datasetSize(options: DoctorOptions): Promise<DoctorReport["dataset"]> {
  if (options.tokens !== undefined) return { tokens: options.tokens, source: "given", files: [], records: 0 };
  if (!options.data) return { tokens: DEFAULT_PLAN_TOKENS, source: "default", files: [], records: 0 };
  if (!options.model) return countDatasetTokens(options.data);
  const tokenizer = await modelTokenizer(options.model);
  try {
    return countDatasetTokens(options.data, tokenizer.count);
  } finally {
    await tokenizer.dispose();
  }
}

function verdictOf(hw: HardwareReport, memoryBytes: number, calibration: CalibrationState, threads: number): Bilingual {
  const gib = (memoryBytes / 2 ** 30).toFixed(1);
  const s = simdSummary(hw.cpu.simd);
  const simd = [s.avx512 ? "AVX-512" : s.avx2 ? "AVX2" : s.neon ? "NEON" : "no AVX2", s.amx ? "AMX" : ""].filter(Boolean).join(" + ");
  const variant = hw.backend.cpuVariant ? `libggml-cpu-${hw.backend.cpuVariant}` : "ggml CPU";
  const calibrated = calibration.status === "calibrated" && calibratedThreads(calibration.calibration, hw.backend.backend).includes(threads);
  const timing: Bilingual = calibrated
    ? {
        en: `Times below are from this machine's calibration at ${threads} thread(s), measured ${calibration.calibration.measuredAt}.`,
        ko: `아래 시간은 이 PC에서 스레드 ${threads}개로 보정한 결과입니다 (${calibration.calibration.measuredAt} 측정).`,
      }
    : {
        en: `Not calibrated at ${threads} thread(s): times are unknown until calibration runs (localtune doctor --calibrate); rungs are ranked by FLOPs.`,
        ko: `스레드 ${threads}개로 보정 안 됨: 보정(localtune doctor --calibrate)을 실행하기 전에는 시간을 알 수 없습니다. 단계는 FLOPs 순으로 정렬했습니다.`,
      };
  if (hw.backend.backend === "cpu") {
    const precision = precisionAdvice(hw.cpu.simd);
    return {
      en: `No usable GPU: localtune will compute on the CPU (${variant}, ${hw.cpu.cores} cores / ${hw.cpu.threads} threads, ${simd}) with ${gib} GiB of RAM available. ${timing.en}${precision.en}`,
      ko: `사용할 수 있는 GPU 없음: localtune은 CPU에서 계산합니다 (${variant}, ${hw.cpu.cores}코어 / ${hw.cpu.threads}스레드, ${simd}), 사용 가능한 RAM ${gib} GiB. ${timing.ko}${precision.ko}`,
    };
  }
  const gpu = hw.compute.device.description;
  return {
    en: `localtune will compute on ${hw.backend.backend.toUpperCase()} (${gpu}) with ${gib} GiB of GPU memory free. ${timing.en}`,
    ko: `localtune은 ${hw.backend.backend.toUpperCase()}(${gpu})에서 계산합니다, 사용 가능한 GPU 메모리 ${gib} GiB. ${timing.ko}`,
  };
}

/** Threads the training engine uses when none are given: the one rule of src/native/threads.ts (big models: every math core). */
export function engineThreads(mathCores?: number): number {
  return resolveThreads(mathCores !== undefined ? { mathCores } : {});
}

export function machineIdentity(hardware: HardwareReport): MachineIdentity {
  return {
    cpuModel: hardware.cpu.model,
    logicalCores: hardware.cpu.threads,
    ramBytes: Math.round(hardware.memory.totalBytes / 2 ** 30) * 2 ** 30,
    gpus: hardware.gpus.map((g) => g.name),
  };
}

export function versionsOf(hardware: HardwareReport): Versions {
  return {
    localtune: localtuneVersion(),
    nodeLlamaCpp: hardware.runtime.nodeLlamaCppVersion,
    llamaCppRelease: hardware.runtime.llamaCppRelease,
  };
}

/** The cached calibration, or a fresh one when it is missing, damaged, does not cover `threads`, or is forced. */
export async function ensureCalibration(o: {
  hardware: HardwareReport;
  versions: Versions;
  machine: MachineIdentity;
  threads: number;
  dir: string;
  mode: "auto" | "force" | "skip";
  onProgress?: (line: string) => void;
}): Promise<CalibrationState> {
  const backend = o.hardware.backend.backend;
  const cached = loadCalibration(o.dir, machineKey(o.machine, o.versions));
  const covered = cached.status === "calibrated" && calibratedThreads(cached.calibration, backend).includes(o.threads);
  if (o.mode === "skip" || (o.mode === "auto" && covered)) return cached;
  const cases = calibrationCases(backend);
  const started = performance.now();
  const describe = (c: CalibrationCase) => `${c.shape.name} ${c.mode} ${c.baseType}`;
  const { file, calibration } = await calibrate({
    measure: (list, threads) =>
      // The process's --device, as a training child gets it: the same node-llama-cpp build, hence the same resident
      // baseline (the Vulkan build computing on the CPU holds ~60 MiB more than the CPU build).
      measureEngine(list, threads, currentDeviceChoice(), (i, c) => o.onProgress?.(`calibrating ${i + 1}/${list.length}: ${describe(c)} (${threads} threads)`)),
    cases,
    threads: o.threads,
    machine: o.machine,
    versions: o.versions,
    dir: o.dir,
  });
  o.onProgress?.(`calibrated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${file}`);
  return { status: "calibrated", file, calibration };
}

/** Runs the whole check. */
export async function runDoctor(input: DoctorOptions = {}): Promise<DoctorReport> {
  // --model may be an hf: URI or URL: everything below reads the local file.
  const options = input.model !== undefined ? { ...input, model: await resolveModelPath(input.model) } : input;
  const shapes: ModelShape[] = options.model
    ? [await readGgufModelShape(options.model)]
    : options.modelShape
      ? [resolveShapeName(options.modelShape)]
      : Object.values(KNOWN_MODEL_SHAPES);
  const hardware = await detectHardware({ workspace: options.workspace, run: options.run });
  const versions = versionsOf(hardware);
  const machine = machineIdentity(hardware);
  const threads = options.threads ?? engineThreads(hardware.runtime.cpuMathCores);
  const calibration = await ensureCalibration({
    hardware,
    versions,
    machine,
    threads,
    dir: options.cacheDir ?? calibrationCacheDir(),
    mode: options.calibration ?? "auto",
    onProgress: options.onProgress,
  });
  const dataset = await datasetSize(options);

  // The plan's memory is the computing device's: RAM on the CPU, the picked GPU's free memory otherwise.
  const memoryBytes = hardware.compute.device.type === "cpu" ? hardware.memory.availableBytes : hardware.compute.device.freeBytes;
  const base: RungOptions = {
    ctx: options.ctx ?? DEFAULT_RUNG_OPTIONS.ctx,
    batch: options.batch ?? DEFAULT_RUNG_OPTIONS.batch,
    virtualTokens: options.virtualTokens ?? DEFAULT_RUNG_OPTIONS.virtualTokens,
    runtimeBytes: calibration.status === "calibrated" ? calibration.calibration.runtimeBytes : ASSUMED_RUNTIME_BYTES,
  };
  const planOn = (backend: Backend, deviceMemory: number) =>
    shapes.map((shape) =>
      planRungs({
        shape,
        tokens: dataset.tokens,
        // A sequence never exceeds what the model was trained on.
        options: { ...base, ctx: Math.min(base.ctx, shape.nCtxTrain) },
        backend,
        threads,
        memoryBytes: deviceMemory,
        // The calibration measured the compute device: another device's times stay unknown (ranked by FLOPs).
        calibration: calibration.status === "calibrated" && backend === hardware.backend.backend ? calibration.calibration : undefined,
        budgetHours: options.budgetHours ?? 8,
        cpuHasAmx: simdSummary(hardware.cpu.simd).amx,
      }),
    );
  const plans = planOn(hardware.backend.backend, memoryBytes);
  const otherDevices = otherPlanTargets(hardware).map((t) => ({ ...t, plans: planOn(t.backend, t.memoryBytes) }));
  return {
    localtuneVersion: versions.localtune,
    hardware,
    calibration,
    threads,
    dataset,
    options: base,
    memoryBytes,
    plans,
    otherDevices,
    verdict: verdictOf(hardware, memoryBytes, calibration, threads),
  };
}

/** Every usable device besides the computing one (real GPUs, and the CPU when a GPU computes), with its memory. */
export function otherPlanTargets(hardware: Pick<HardwareReport, "devices" | "compute" | "memory">): Array<{ device: DeviceSummary; backend: Backend; memoryBytes: number }> {
  return hardware.devices
    .filter((d) => d.name !== hardware.compute.device.name && !d.software && d.type !== "accel")
    .map((d) => ({
      device: d,
      backend: d.type === "cpu" ? "cpu" : (d.backend.toLowerCase() as Backend),
      memoryBytes: d.type === "cpu" ? hardware.memory.availableBytes : d.freeBytes,
    }));
}
