// Hardware detection: OS, CPU, RAM, disk, GPUs and the compute backend, gathered into one report. Only this file
// touches node-llama-cpp (through src/native/llama-runtime.ts) and the real system; the parsers are pure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlamaGpuTypes } from "node-llama-cpp";
import { getLlamaRuntime } from "../native/llama-runtime.js";
import { loadGgml } from "../native/ggml-runtime.js";
import { listGgmlDevices, pickDevice, type GgmlDeviceInfo } from "../native/ggml-devices.js";
import { currentDeviceChoice } from "../native/device-choice.js";
import type { Bilingual } from "../i18n/index.js";
import type { Backend } from "./calibration.js";
import { decideBackend, type BackendDecision } from "./backend.js";
import { runCommand, type CommandRunner } from "./command.js";
import { detectCpu, parseGgmlSystemInfo, type CpuInfo } from "./cpu.js";
import { findLibraries, type LibraryCheck } from "./libraries.js";
import { detectDisk, detectMemory, type DiskInfo, type MemoryInfo } from "./memory.js";
import { queryNvidiaSmi, type NvidiaSmiReport } from "./nvidia-smi.js";
import { listPrebuiltPackages, loadedBinaries, nodeModulesDir, type GpuBuild, type PrebuiltPackage } from "./prebuilt.js";

export interface GpuInfo {
  vendor: string;
  name: string;
  vramTotalBytes: number | null;
  vramFreeBytes: number | null;
  driverVersion: string | null;
  /** Highest CUDA version the driver supports (nvidia-smi banner). */
  cudaVersion: string | null;
  source: "nvidia-smi" | "node-llama-cpp";
}

export interface RuntimeInfo {
  nodeLlamaCppVersion: string;
  llamaCppRelease: string;
  /** GPU builds node-llama-cpp would try on this machine, best first. */
  candidates: GpuBuild[];
  loaded: GpuBuild;
  deviceNames: string[];
  /** ggml's own feature line of the loaded CPU variant. */
  systemInfo: string;
  /** Threads node-llama-cpp deems useful for math. */
  cpuMathCores: number;
}

export interface HardwareReport {
  os: { platform: string; release: string; arch: string; version: string };
  cpu: CpuInfo;
  memory: MemoryInfo;
  disk: DiskInfo;
  nvidia: NvidiaSmiReport;
  gpus: GpuInfo[];
  runtime: RuntimeInfo;
  packages: PrebuiltPackage[];
  libraries: LibraryCheck[];
  backend: BackendDecision;
  /** Every device ggml sees in the loaded build, software ones marked. */
  devices: DeviceSummary[];
  /** The device the engine will compute on for the process's --device, and why. */
  compute: { device: DeviceSummary; reason: Bilingual };
}

export type DeviceSummary = Omit<GgmlDeviceInfo, "handle">;

function vendorOf(name: string): string {
  if (/nvidia|geforce|rtx|quadro|tesla/i.test(name)) return "NVIDIA";
  if (/amd|radeon/i.test(name)) return "AMD";
  if (/intel|arc|iris/i.test(name)) return "Intel";
  if (/apple/i.test(name)) return "Apple";
  return "unknown";
}

function packageVersion(dir: string): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string }).version);
  } catch {
    return "unknown";
  }
}

/** Detects everything the planner needs. `workspace` is where runs and checkpoints will be written. */
export async function detectHardware(options: { workspace?: string; run?: CommandRunner } = {}): Promise<HardwareReport> {
  const run = options.run ?? runCommand;
  const modules = nodeModulesDir();
  const [llama, candidates, nvidia] = await Promise.all([
    getLlamaRuntime(),
    getLlamaGpuTypes("supported"),
    queryNvidiaSmi(run),
  ]);
  const deviceNames = await llama.getGpuDeviceNames();
  const vram = await llama.getVramState();
  const cpu = await detectCpu(run, llama.systemInfo);
  const packages = listPrebuiltPackages(modules);
  const needed = [...new Set(packages.filter((p) => p.compatible).flatMap((p) => p.needs))].sort();
  const libraries = await findLibraries(needed, run);
  const { binDir, cpuVariant } = loadedBinaries();
  const runtime: RuntimeInfo = {
    nodeLlamaCppVersion: packageVersion(path.join(modules, "node-llama-cpp")),
    llamaCppRelease: llama.llamaCppRelease.release,
    candidates,
    loaded: llama.gpu,
    deviceNames,
    systemInfo: llama.systemInfo,
    cpuMathCores: llama.cpuMathCores,
  };

  let gpus: GpuInfo[];
  if (nvidia.status === "ok") {
    gpus = nvidia.gpus.map((g) => ({
      vendor: "NVIDIA",
      name: g.name,
      vramTotalBytes: g.memoryTotalBytes,
      vramFreeBytes: g.memoryFreeBytes,
      driverVersion: g.driverVersion,
      cudaVersion: nvidia.cudaVersion,
      source: "nvidia-smi",
    }));
  } else {
    // Without nvidia-smi only the loaded GPU build can name devices; its VRAM figures cover all of them together.
    gpus = deviceNames.map((name) => ({
      vendor: vendorOf(name),
      name,
      vramTotalBytes: deviceNames.length === 1 ? vram.total : null,
      vramFreeBytes: deviceNames.length === 1 ? vram.free : null,
      driverVersion: null,
      cudaVersion: null,
      source: "node-llama-cpp",
    }));
  }

  const ggml = await loadGgml();
  const devices: DeviceSummary[] = listGgmlDevices(ggml.api).map(({ handle: _handle, ...rest }) => rest);
  const picked = pickDevice(devices, currentDeviceChoice());
  const compute: Backend = picked.device.type === "cpu" ? "cpu" : (picked.device.backend.toLowerCase() as Backend);
  const backend = decideBackend({
    compute,
    platform: process.platform,
    arch: process.arch,
    packages,
    libraries,
    nvidia,
    loaded: llama.gpu,
    deviceNames,
    cpuVariant,
    binDir,
  });
  return {
    os: { platform: process.platform, release: os.release(), arch: process.arch, version: os.version() },
    cpu,
    memory: detectMemory(),
    disk: detectDisk(options.workspace ?? process.cwd()),
    nvidia,
    gpus,
    runtime,
    packages,
    libraries,
    backend,
    devices,
    compute: picked,
  };
}

/** SIMD features of the CPU variant ggml loaded (may be fewer than the CPU has, never more). */
export function ggmlSimd(runtime: RuntimeInfo): string[] {
  return parseGgmlSystemInfo(runtime.systemInfo);
}
