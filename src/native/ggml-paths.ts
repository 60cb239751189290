// Finds the ggml shared libraries that node-llama-cpp loaded, so our bindings share the very same ggml (docs/engine-notes.md,
// "one ggml per process"). File names differ per prebuilt package: the registry library of a GPU build carries the
// backend's name (libggml.vulkan.v0.4.0.so, ggml.cuda.v0.4.0.dll, libggml.metal.v0.4.0.dylib); discovery is tested
// against the file lists of every package node-llama-cpp 3.21.1 ships (test/fixtures/node-llama-cpp-packages/).
import fs from "node:fs";
import path from "node:path";
import { NativeAbiError } from "../errors.js";

export interface GgmlLibraryPaths {
  /** Folder of the node-llama-cpp prebuilt binaries in use (CPU variants, or a CUDA / Vulkan / Metal build). */
  binDir: string;
  /** Tensor, graph, backend and optimizer functions. */
  base: string;
  /** Backend registry: ggml_backend_load_all_from_path, device enumeration. */
  registry: string;
}

/** Shared objects currently mapped into this process (Node's diagnostic report lists them on every platform). */
function loadedSharedObjects(): string[] {
  const report = process.report?.getReport() as { sharedObjects?: string[] } | undefined;
  return report?.sharedObjects ?? [];
}

// ggml-base: libggml-base.so (Linux), ggml-base.dll (Windows), libggml-base.dylib (macOS).
const BASE_NAME = /^(lib)?ggml-base(\.v[\d.]+)?\.(so|dll|dylib)$/;
// The registry library: libggml.v0.4.0.so, ggml.v0.4.0.dll, libggml.v0.4.0.dylib in CPU builds; GPU builds add the
// build's name (libggml.vulkan.v0.4.0.so, ggml.cuda.v0.4.0.dll, libggml.metal.v0.4.0.dylib); ggml.dll in plain builds.
// Never libggml-cpu-*.so or libggml-cuda.so: those are backend libraries that the registry loads itself.
const REGISTRY_NAME = /^(lib)?ggml(\.(cuda|vulkan|metal))?(\.v[\d.]+)?\.(so|dll|dylib)$/;

/** The base and registry library names among the files of one prebuilt package's binary folder (pure). */
export function pickGgmlLibraryNames(fileNames: readonly string[]): { base?: string; registry?: string } {
  const base = fileNames.find((name) => BASE_NAME.test(name));
  const registry = fileNames.find((name) => REGISTRY_NAME.test(name));
  return { ...(base ? { base } : {}), ...(registry ? { registry } : {}) };
}

/** Windows paths (drive letter or backslashes) are split with path.win32 whatever platform parses them. */
function pathModuleFor(file: string): typeof path.posix {
  return /^[A-Za-z]:[\\/]|\\/.test(file) ? path.win32 : path.posix;
}

/** Picks the ggml libraries from the folder of node-llama-cpp's addon. Call after node-llama-cpp has loaded. */
export function locateGgmlLibraries(
  sharedObjects: string[] = loadedSharedObjects(),
  listFolder: (dir: string) => string[] = (dir) => fs.readdirSync(dir),
): GgmlLibraryPaths {
  const addon = sharedObjects.find((file) => pathModuleFor(file).basename(file) === "llama-addon.node");
  if (!addon) {
    throw new NativeAbiError(
      "node-llama-cpp's native addon (llama-addon.node) is not loaded in this process; load it with getLlamaRuntime() before the ggml bindings.",
    );
  }
  const p = pathModuleFor(addon);
  const binDir = p.dirname(addon);
  // Prefer what is mapped (the very files in use); the folder listing covers libraries the addon loads lazily.
  const mapped = sharedObjects.filter((file) => p.dirname(file) === binDir).map((file) => p.basename(file));
  const fromMapped = pickGgmlLibraryNames(mapped);
  const listed = fromMapped.base && fromMapped.registry ? fromMapped : { ...pickGgmlLibraryNames(listFolder(binDir)), ...fromMapped };
  if (!listed.base || !listed.registry) {
    throw new NativeAbiError(
      `the ggml libraries were not found beside ${addon} (expected ggml-base and the ggml registry library, e.g. libggml-base.so and libggml.v0.4.0.so, there); reinstall with npm ci.`,
    );
  }
  return { binDir, base: p.join(binDir, listed.base), registry: p.join(binDir, listed.registry) };
}
