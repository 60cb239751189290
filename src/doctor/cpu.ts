// The CPU: model, cores, threads and the SIMD extensions ggml's kernels use. Linux reads /proc/cpuinfo, macOS
// sysctl, Windows PowerShell (wmic where PowerShell is absent) plus ggml's own feature line for the SIMD set.
import fs from "node:fs";
import os from "node:os";
import type { CommandRunner } from "./command.js";

export interface CpuInfo {
  model: string;
  /** Physical cores, when the OS says; otherwise the thread count. */
  cores: number;
  /** Hardware threads. */
  threads: number;
  /** SIMD extensions present, in the display names of SIMD_FEATURES, widest last within each family. */
  simd: string[];
  /** Where the figures came from ("/proc/cpuinfo", "sysctl", "PowerShell", "wmic", "ggml", "os.cpus()"). */
  sources: string[];
}

// [key, label]: key is the flag lowercased without "_" "." "-" (Linux "avx512_vnni", macOS "AVX512VNNI" -> "avx512vnni").
const SIMD_FEATURES: ReadonlyArray<readonly [string, string]> = [
  ["sse42", "SSE4.2"],
  ["avx", "AVX"],
  ["f16c", "F16C"],
  ["fma", "FMA"],
  ["avx2", "AVX2"],
  ["avxvnni", "AVX-VNNI"],
  ["avx512f", "AVX512F"],
  ["avx512cd", "AVX512CD"],
  ["avx512dq", "AVX512DQ"],
  ["avx512bw", "AVX512BW"],
  ["avx512vl", "AVX512VL"],
  ["avx512ifma", "AVX512_IFMA"],
  ["avx512vbmi", "AVX512_VBMI"],
  ["avx512vbmi2", "AVX512_VBMI2"],
  ["avx512vnni", "AVX512_VNNI"],
  ["avx512bf16", "AVX512_BF16"],
  ["avx512fp16", "AVX512_FP16"],
  ["amxtile", "AMX_TILE"],
  ["amxint8", "AMX_INT8"],
  ["amxbf16", "AMX_BF16"],
  ["amxfp16", "AMX_FP16"],
  ["asimd", "NEON"],
  ["asimddp", "DOTPROD"],
  ["i8mm", "I8MM"],
  ["bf16", "BF16"],
  ["sve", "SVE"],
  ["sve2", "SVE2"],
  ["sme", "SME"],
];

// Names other sources use for the same features.
const ALIASES: Record<string, string> = {
  avx10: "avx", // macOS spells AVX "AVX1.0"
  neon: "asimd",
  dotprod: "asimddp",
  matmulint8: "i8mm",
  avx512: "avx512f", // ggml's system info says "AVX512 = 1" for the foundation set
};

function flagKey(flag: string): string {
  const key = flag.toLowerCase().replace(/[_.\-]/g, "");
  return ALIASES[key] ?? key;
}

/** Display names of the known SIMD features among raw flags, in SIMD_FEATURES order. */
export function simdFromFlags(flags: Iterable<string>): string[] {
  const keys = new Set([...flags].map(flagKey));
  return SIMD_FEATURES.filter(([key]) => keys.has(key)).map(([, label]) => label);
}

/** Summary of what matters to ggml's CPU kernels. */
export function simdSummary(simd: readonly string[]): { avx2: boolean; avx512: boolean; amx: boolean; neon: boolean } {
  return {
    avx2: simd.includes("AVX2"),
    avx512: simd.includes("AVX512F"),
    amx: simd.some((s) => s.startsWith("AMX")),
    neon: simd.includes("NEON"),
  };
}

function fields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const at = line.indexOf(":");
    if (at > 0) map.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return map;
}

/** Linux /proc/cpuinfo: x86 ("model name", "flags", "physical id"/"core id") and Arm ("Features", "CPU part"). */
export function parseProcCpuinfo(text: string): Omit<CpuInfo, "sources"> {
  const blocks = text.split(/\n\s*\n/).map(fields);
  const processors = blocks.filter((b) => b.has("processor") && /^\d+$/.test(b.get("processor")!));
  const first = processors[0] ?? new Map<string, string>();
  const all = blocks.reduce((acc, b) => new Map([...acc, ...b]), new Map<string, string>());
  const physical = new Set(
    processors.filter((b) => b.has("core id")).map((b) => `${b.get("physical id") ?? 0}/${b.get("core id")}`),
  );
  const threads = processors.length;
  const arm = first.get("CPU part") ? `Arm CPU part ${first.get("CPU part")} (implementer ${first.get("CPU implementer")})` : "";
  const model = first.get("model name") ?? all.get("Model") ?? all.get("Hardware") ?? arm;
  const flags = (first.get("flags") ?? first.get("Features") ?? "").split(/\s+/).filter(Boolean);
  return { model, cores: physical.size > 0 ? physical.size : threads, threads, simd: simdFromFlags(flags) };
}

/** macOS `sysctl machdep.cpu hw.physicalcpu hw.logicalcpu hw.optional`: Intel feature lists or Arm FEAT_* flags. */
export function parseSysctl(text: string): Omit<CpuInfo, "sources"> {
  const f = fields(text);
  const flags: string[] = [];
  for (const key of ["machdep.cpu.features", "machdep.cpu.leaf7_features", "machdep.cpu.extfeatures"]) {
    flags.push(...(f.get(key) ?? "").split(/\s+/).filter(Boolean));
  }
  for (const [key, value] of f) {
    if (value !== "1") continue;
    const arm = /^hw\.optional\.(?:arm\.FEAT_)?(\w+)$/.exec(key);
    if (arm) flags.push(arm[1]!);
  }
  const threads = Number(f.get("hw.logicalcpu") ?? f.get("machdep.cpu.thread_count") ?? 0);
  return {
    model: f.get("machdep.cpu.brand_string") ?? "",
    cores: Number(f.get("hw.physicalcpu") ?? f.get("machdep.cpu.core_count") ?? threads),
    threads,
    simd: simdFromFlags(flags),
  };
}

/** Windows: `wmic cpu get Name,NumberOfCores,NumberOfLogicalProcessors /format:list` (one block per socket). */
export function parseWmicCpu(text: string): Omit<CpuInfo, "sources" | "simd"> {
  const sockets = text
    .split(/(?:\r*\n){2,}/)
    .map((block) => new Map(block.split(/\r*\n/).filter((l) => l.includes("=")).map((l) => {
      const at = l.indexOf("=");
      return [l.slice(0, at).trim(), l.slice(at + 1).trim()] as const;
    })))
    .filter((m) => m.has("Name"));
  return {
    model: sockets[0]?.get("Name") ?? "",
    cores: sockets.reduce((n, m) => n + Number(m.get("NumberOfCores") ?? 0), 0),
    threads: sockets.reduce((n, m) => n + Number(m.get("NumberOfLogicalProcessors") ?? 0), 0),
  };
}

/** Windows: `Get-CimInstance Win32_Processor | Select-Object Name,NumberOfCores,NumberOfLogicalProcessors | ConvertTo-Json`
 *  (an object for one socket, an array for several). */
export function parsePowerShellCpu(text: string): Omit<CpuInfo, "sources" | "simd"> {
  const parsed = JSON.parse(text) as unknown;
  const sockets = (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>;
  return {
    model: String(sockets[0]?.Name ?? "").trim(),
    cores: sockets.reduce((n, s) => n + Number(s.NumberOfCores ?? 0), 0),
    threads: sockets.reduce((n, s) => n + Number(s.NumberOfLogicalProcessors ?? 0), 0),
  };
}

/** ggml's system info line ("CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AMX_INT8 = 1 | ..."): the features the loaded
 *  CPU variant was built for and found on this CPU. */
export function parseGgmlSystemInfo(text: string): string[] {
  const flags = [...text.matchAll(/([A-Z0-9_]+)\s*=\s*1/g)].map((m) => m[1]!);
  return simdFromFlags(flags);
}

export const POWERSHELL_CPU_ARGS = [
  "-NoProfile",
  "-Command",
  "Get-CimInstance Win32_Processor | Select-Object Name,NumberOfCores,NumberOfLogicalProcessors | ConvertTo-Json",
];
export const WMIC_CPU_ARGS = ["cpu", "get", "Name,NumberOfCores,NumberOfLogicalProcessors", "/format:list"];
export const SYSCTL_CPU_ARGS = ["machdep.cpu", "hw.physicalcpu", "hw.logicalcpu", "hw.optional"];

/** Detects the CPU of this machine. `ggmlSystemInfo` (node-llama-cpp's `llama.systemInfo`) fills the SIMD set
 *  where the OS gives none (Windows). Failures of one source fall back to os.cpus(), and the sources say so. */
export async function detectCpu(run: CommandRunner, ggmlSystemInfo?: string, platform = process.platform): Promise<CpuInfo> {
  const fallback = { model: os.cpus()[0]?.model.trim() ?? "", cores: os.availableParallelism(), threads: os.availableParallelism(), simd: [] as string[] };
  let found: Omit<CpuInfo, "sources"> | undefined;
  const sources: string[] = [];
  try {
    if (platform === "linux") {
      found = parseProcCpuinfo(fs.readFileSync("/proc/cpuinfo", "utf8"));
      sources.push("/proc/cpuinfo");
    } else if (platform === "darwin") {
      const r = await run("sysctl", SYSCTL_CPU_ARGS);
      found = parseSysctl(r.stdout);
      sources.push("sysctl");
    } else if (platform === "win32") {
      const ps = await run("powershell", POWERSHELL_CPU_ARGS).catch(() => undefined);
      if (ps && ps.exitCode === 0 && ps.stdout.trim()) {
        found = { ...parsePowerShellCpu(ps.stdout), simd: [] };
        sources.push("PowerShell");
      } else {
        found = { ...parseWmicCpu((await run("wmic", WMIC_CPU_ARGS)).stdout), simd: [] };
        sources.push("wmic");
      }
    }
  } catch {
    found = undefined;
  }
  const cpu = {
    model: found?.model || fallback.model,
    cores: found?.cores || fallback.cores,
    threads: found?.threads || fallback.threads,
    simd: found?.simd ?? [],
  };
  if (!found?.model || !found.threads) sources.push("os.cpus()");
  if (cpu.simd.length === 0 && ggmlSystemInfo) {
    cpu.simd = parseGgmlSystemInfo(ggmlSystemInfo);
    sources.push("ggml");
  }
  return { ...cpu, sources };
}
