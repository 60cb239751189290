// NVIDIA GPUs through nvidia-smi: one CSV query for the devices, the plain table's header for the CUDA version
// (the highest CUDA runtime the installed driver supports; nvidia-smi has no query field for it).
import { isMissingProgram, type CommandRunner } from "./command.js";

/** One NVIDIA GPU as nvidia-smi reports it. Sizes in bytes; null where nvidia-smi says [N/A] (e.g. unified memory). */
export interface NvidiaGpu {
  index: number;
  name: string;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  memoryFreeBytes: number | null;
  driverVersion: string;
  pciBusId: string;
}

export type NvidiaSmiReport =
  | { status: "ok"; gpus: NvidiaGpu[]; driverVersion: string; cudaVersion: string | null }
  /** nvidia-smi runs but sees no GPU. */
  | { status: "no-devices"; message: string }
  /** nvidia-smi is not installed (no NVIDIA driver on this machine). */
  | { status: "missing" }
  /** nvidia-smi exists but failed (driver not loaded, version mismatch, permissions...). */
  | { status: "failed"; exitCode: number; message: string };

/** Fields queried, in this order: the CSV parser relies on it. */
export const NVIDIA_SMI_QUERY_FIELDS = [
  "index",
  "name",
  "memory.total",
  "memory.used",
  "memory.free",
  "driver_version",
  "pci.bus_id",
] as const;

export const NVIDIA_SMI_QUERY_ARGS = [`--query-gpu=${NVIDIA_SMI_QUERY_FIELDS.join(",")}`, "--format=csv,noheader,nounits"];

const MIB = 1024 * 1024;

/** MiB with `nounits`; "[N/A]" / "[Not Supported]" become null. */
function mib(field: string): number | null {
  const value = Number(field);
  return field !== "" && Number.isFinite(value) ? value * MIB : null;
}

/** Parses `--format=csv,noheader,nounits` output of NVIDIA_SMI_QUERY_FIELDS: one line per GPU. */
export function parseNvidiaSmiCsv(stdout: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    // A GPU name never holds a comma in practice; if one did, the surplus cells belong to the name.
    const extra = cells.length - NVIDIA_SMI_QUERY_FIELDS.length;
    if (extra < 0 || !/^\d+$/.test(cells[0]!)) {
      throw new Error(`unexpected nvidia-smi line (expected ${NVIDIA_SMI_QUERY_FIELDS.length} comma-separated fields): ${line}`);
    }
    const name = cells.slice(1, 2 + extra).join(", ");
    const [total, used, free, driver, bus] = cells.slice(2 + extra);
    gpus.push({
      index: Number(cells[0]),
      name,
      memoryTotalBytes: mib(total!),
      memoryUsedBytes: mib(used!),
      memoryFreeBytes: mib(free!),
      driverVersion: driver!,
      pciBusId: bus!,
    });
  }
  return gpus;
}

/** Driver and CUDA version from the banner of plain `nvidia-smi`: "Driver Version: 550.54.14   CUDA Version: 12.4". */
export function parseNvidiaSmiHeader(stdout: string): { driverVersion: string | null; cudaVersion: string | null } {
  const driver = /Driver Version:\s*([\d.]+)/.exec(stdout);
  const cuda = /CUDA Version:\s*([\d.]+)/.exec(stdout);
  return { driverVersion: driver?.[1] ?? null, cudaVersion: cuda?.[1] ?? null };
}

/** The first meaningful line of a failing nvidia-smi's output (it prints errors on stdout). */
function firstLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/** Queries every NVIDIA GPU; never throws for a missing or failing nvidia-smi: those are results. */
export async function queryNvidiaSmi(run: CommandRunner, program = "nvidia-smi"): Promise<NvidiaSmiReport> {
  let query;
  try {
    query = await run(program, NVIDIA_SMI_QUERY_ARGS);
  } catch (error) {
    if (isMissingProgram(error)) return { status: "missing" };
    return { status: "failed", exitCode: -1, message: (error as Error).message };
  }
  const output = `${query.stdout}\n${query.stderr}`;
  if (/No devices were found/i.test(output)) return { status: "no-devices", message: firstLine(output) };
  if (query.exitCode !== 0) return { status: "failed", exitCode: query.exitCode, message: firstLine(output) };
  let gpus: NvidiaGpu[];
  try {
    gpus = parseNvidiaSmiCsv(query.stdout);
  } catch (error) {
    return { status: "failed", exitCode: 0, message: (error as Error).message };
  }
  if (gpus.length === 0) return { status: "no-devices", message: "nvidia-smi listed no GPU" };
  // The banner is the only place that names the CUDA version; a failure here leaves it unknown, not the GPUs.
  let cudaVersion: string | null = null;
  try {
    const banner = await run(program, []);
    cudaVersion = parseNvidiaSmiHeader(banner.stdout).cudaVersion;
  } catch {
    cudaVersion = null;
  }
  return { status: "ok", gpus, driverVersion: gpus[0]!.driverVersion, cudaVersion };
}

/** "12.4" -> [12, 4] for comparisons. */
export function parseVersion(version: string): number[] {
  return version.split(".").map((part) => Number(part));
}

/** a >= b, comparing dotted version numbers. */
export function versionAtLeast(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
