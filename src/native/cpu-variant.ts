// A chosen build of ggml's CPU backend (LOCALTUNE_CPU_VARIANT=haswell): node-llama-cpp ships one CPU backend library
// per x86 ISA level (libggml-cpu-haswell.so: AVX2 and FMA; -skylakex: AVX-512; -sapphirerapids: AMX, ...) and ggml
// loads the best one this CPU runs. Naming a lower level makes the engine compute as a laptop CPU without AVX-512 or
// AMX would, on this machine: the benchmarks' laptop-class mode (bench/train.ts) and doctor --calibrate for such a
// machine. node-llama-cpp's own contexts keep the best build.
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import type { GgmlApi, GgmlDevice } from "./ggml-bindings.js";

/** File name of a CPU variant's library on this platform ("libggml-cpu-haswell.so", "ggml-cpu-haswell.dll"). */
export function cpuVariantFileName(variant: string, platform: NodeJS.Platform = process.platform): string {
  const extension = platform === "win32" ? ".dll" : platform === "darwin" ? ".dylib" : ".so";
  return `${platform === "win32" ? "" : "lib"}ggml-cpu-${variant}${extension}`;
}

/** The variants present in a binaries folder ("haswell", "skylakex", ...), sorted. */
export function cpuVariantsIn(binDir: string): string[] {
  return fs
    .readdirSync(binDir)
    .flatMap((name) => /^(?:lib)?ggml-cpu-([\w-]+)\.(?:so|dll|dylib)$/.exec(name)?.[1] ?? [])
    .sort();
}

/**
 * Loads the CPU backend variant `variant` from `binDir` and returns its device: the one the engine computes on in place
 * of the CPU device node-llama-cpp registered.
 */
export function loadCpuVariant(api: GgmlApi, binDir: string, variant: string): GgmlDevice {
  const file = path.join(binDir, cpuVariantFileName(variant));
  const available = () => cpuVariantsIn(binDir).join(", ") || "none";
  if (!fs.existsSync(file)) {
    throw new InvalidConfigError({
      en: `LOCALTUNE_CPU_VARIANT=${variant}: ${file} does not exist. CPU variants in this node-llama-cpp build: ${available()}.`,
      ko: `LOCALTUNE_CPU_VARIANT=${variant}: ${file}이(가) 없습니다. 이 node-llama-cpp 빌드의 CPU 변형: ${available()}.`,
    });
  }
  const reg = api.ggml_backend_load(file);
  if (!reg || api.ggml_backend_reg_dev_count(reg) < 1) {
    throw new InvalidConfigError({
      en: `LOCALTUNE_CPU_VARIANT=${variant}: ggml did not load ${file} (this CPU may lack the instructions it needs). Variants: ${available()}.`,
      ko: `LOCALTUNE_CPU_VARIANT=${variant}: ggml이 ${file}을(를) 불러오지 못했습니다 (이 CPU에 필요한 명령어가 없을 수 있습니다). 변형: ${available()}.`,
    });
  }
  return api.ggml_backend_reg_dev_get(reg, 0);
}
