// node-llama-cpp's prebuilt binary packages (@node-llama-cpp/<platform>-<arch>[-cuda|-vulkan]): which are installed,
// which fit this machine, and which system libraries each GPU build links (read from the binary itself).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

export type GpuBuild = "cuda" | "vulkan" | "metal" | false;

export interface PrebuiltPackage {
  name: string;
  version: string;
  /** GPU build of the package's binaries (false: CPU only). */
  gpu: GpuBuild;
  /** Built for this OS and architecture (node-llama-cpp names them <linux|win|mac>-<arch>[-gpu]). */
  compatible: boolean;
  /** Folder of its binaries. */
  binDir: string;
  /** Shared libraries of the system its GPU backend library needs (sonames / DLL names), e.g. libcudart.so.13. */
  needs: string[];
}

/** node_modules folder holding node-llama-cpp, found from its entry point (its `exports` map hides package.json). */
export function nodeModulesDir(): string {
  const entry = createRequire(import.meta.url).resolve("node-llama-cpp");
  let dir = path.dirname(entry);
  while (path.basename(dir) !== "node_modules" && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

// The backend library's dynamic string table sits near the start of the file: 2 MiB covers it without reading
// the GPU kernels (hundreds of MB).
const HEADER_BYTES = 2 << 20;
const SYSTEM_LIBRARY = /(libcuda\.so\.\d+|nvcuda\.dll|libcudart\.so\.\d+|libcublas\.so\.\d+|libcublasLt\.so\.\d+|libvulkan\.so\.\d+|cudart64_\d+\.dll|cublas64_\d+\.dll|cublasLt64_\d+\.dll|vulkan-1\.dll)/g;

/** System libraries named in the first bytes of a backend library (libggml-cuda.so, ggml-vulkan.dll, ...). */
export function linkedSystemLibraries(file: string): string[] {
  const fd = fs.openSync(file, "r");
  try {
    const buffer = Buffer.alloc(Math.min(HEADER_BYTES, fs.fstatSync(fd).size));
    fs.readSync(fd, buffer, 0, buffer.length, 0);
    return [...new Set(buffer.toString("latin1").match(SYSTEM_LIBRARY) ?? [])].sort();
  } finally {
    fs.closeSync(fd);
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const NLC_PLATFORM: Record<string, string> = { linux: "linux", win32: "win", darwin: "mac" };

/** Every @node-llama-cpp/* package under node_modules with its GPU build and linked system libraries. */
export function listPrebuiltPackages(
  modulesDir: string = nodeModulesDir(),
  platform: string = process.platform,
  arch: string = process.arch,
): PrebuiltPackage[] {
  const scope = path.join(modulesDir, "@node-llama-cpp");
  if (!fs.existsSync(scope)) return [];
  const packages: PrebuiltPackage[] = [];
  for (const entry of fs.readdirSync(scope).sort()) {
    const pkg = readJson(path.join(scope, entry, "package.json"));
    const bins = path.join(scope, entry, "bins");
    if (!pkg || !fs.existsSync(bins)) continue;
    const binDir = path.join(bins, fs.readdirSync(bins)[0] ?? "");
    const meta = readJson(path.join(binDir, "_nlcBuildMetadata.json")) as { buildOptions?: { gpu?: GpuBuild } } | undefined;
    // An "-ext" package extends the package of the same name with more libraries and carries no build metadata.
    const gpu = meta?.buildOptions?.gpu ?? (/-(cuda|vulkan)(-ext)?$/.exec(entry)?.[1] as GpuBuild | undefined) ?? false;
    const backendLib = gpu
      ? fs.readdirSync(binDir).find((f) => new RegExp(`^(lib)?ggml-${gpu}\\.(so|dll|dylib)$`).test(f))
      : undefined;
    packages.push({
      name: String(pkg.name),
      version: String(pkg.version),
      gpu,
      compatible: new RegExp(`^${NLC_PLATFORM[platform] ?? platform}-${arch}(-|$)`).test(entry),
      binDir,
      needs: backendLib ? linkedSystemLibraries(path.join(binDir, backendLib)) : [],
    });
  }
  return packages;
}

/** Where node-llama-cpp's binaries were loaded from and which ggml CPU variant it picked, from the shared objects
 *  mapped into this process (Node's diagnostic report lists them on every platform). */
export function loadedBinaries(sharedObjects?: string[]): { binDir: string | null; cpuVariant: string | null } {
  const objects =
    sharedObjects ?? ((process.report?.getReport() as { sharedObjects?: string[] } | undefined)?.sharedObjects ?? []);
  // Windows paths ("C:\\...\\ggml-cpu-haswell.dll") are split with path.win32 whatever platform parses them.
  const p = (f: string) => (/^[A-Za-z]:[\\/]|\\/.test(f) ? path.win32 : path.posix);
  const addon = objects.find((f) => p(f).basename(f) === "llama-addon.node");
  const cpu = objects.map((f) => /^(?:lib)?ggml-cpu-?([\w-]*)\.(?:so|dll|dylib)$/.exec(p(f).basename(f))).find(Boolean);
  return { binDir: addon ? p(addon).dirname(addon) : null, cpuVariant: cpu ? cpu[1] || "generic" : null };
}
