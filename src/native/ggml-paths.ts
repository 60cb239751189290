// Finds the ggml shared libraries that node-llama-cpp loaded, so our bindings share the very same ggml (FINDINGS trap 18).
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

// File names per platform: libggml-base.so / libggml.v0.4.0.so (Linux), ggml-base.dll / ggml.dll (Windows),
// libggml-base.dylib / libggml.v0.4.0.dylib or libggml.dylib (macOS).
const BASE_NAME = /^(lib)?ggml-base(\.v[\d.]+)?\.(so|dll|dylib)$/;
const REGISTRY_NAME = /^(lib)?ggml(\.v[\d.]+)?\.(so|dll|dylib)$/;

/** Picks the ggml libraries from the folder of node-llama-cpp's addon. Call after node-llama-cpp has loaded. */
export function locateGgmlLibraries(sharedObjects: string[] = loadedSharedObjects()): GgmlLibraryPaths {
  const addon = sharedObjects.find((file) => path.basename(file) === "llama-addon.node");
  if (!addon) {
    throw new NativeAbiError(
      "node-llama-cpp's native addon (llama-addon.node) is not loaded in this process; load it with getLlamaRuntime() before the ggml bindings.",
    );
  }
  const binDir = path.dirname(addon);
  const inDir = (pattern: RegExp) =>
    sharedObjects.find((file) => path.dirname(file) === binDir && pattern.test(path.basename(file))) ??
    fs.readdirSync(binDir).map((name) => path.join(binDir, name)).find((file) => pattern.test(path.basename(file)));
  const base = inDir(BASE_NAME);
  const registry = inDir(REGISTRY_NAME);
  if (!base || !registry) {
    throw new NativeAbiError(
      `the ggml libraries were not found beside ${addon} (expected ggml-base and ggml shared libraries there); reinstall with npm ci.`,
    );
  }
  return { binDir, base, registry };
}
