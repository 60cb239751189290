// Which ggml backend localtune will compute on, and why each other one is not used: a pure function of what
// detection found, so every branch is testable without the hardware.
import type { Bilingual } from "../i18n/index.js";
import type { Backend } from "./calibration.js";
import type { LibraryCheck } from "./libraries.js";
import { versionAtLeast, type NvidiaSmiReport } from "./nvidia-smi.js";
import type { GpuBuild, PrebuiltPackage } from "./prebuilt.js";

export interface BackendInput {
  platform: string;
  arch: string;
  packages: PrebuiltPackage[];
  /** Every library some compatible GPU package needs, looked up on this system. */
  libraries: LibraryCheck[];
  nvidia: NvidiaSmiReport;
  /** The build node-llama-cpp actually loaded (llama.gpu). */
  loaded: GpuBuild;
  /** Devices the loaded build sees (llama.getGpuDeviceNames()). */
  deviceNames: string[];
  cpuVariant: string | null;
  binDir: string | null;
  /** Where the engine will compute within the loaded build (the ggml device picked for --device); default: the build. */
  compute?: Backend;
}

export interface BackendStatus {
  backend: Backend;
  usable: boolean;
  reason: Bilingual;
}

export interface BackendDecision {
  backend: Backend;
  binDir: string | null;
  cpuVariant: string | null;
  /** One line per backend, the chosen one first. */
  statuses: BackendStatus[];
}

/** "libcudart.so.13" -> 13: the CUDA major version a library name pins. */
function cudaMajor(libs: readonly string[]): number | null {
  for (const lib of libs) {
    const m = /cudart(?:\.so\.|64_)(\d+)/.exec(lib);
    if (m) return Number(m[1]);
  }
  return null;
}

function nvidiaProblem(n: NvidiaSmiReport): Bilingual | null {
  switch (n.status) {
    case "missing":
      return { en: "no NVIDIA driver (nvidia-smi not found)", ko: "NVIDIA 드라이버 없음 (nvidia-smi를 찾을 수 없음)" };
    case "no-devices":
      return { en: `nvidia-smi found no GPU (${n.message})`, ko: `nvidia-smi가 GPU를 찾지 못함 (${n.message})` };
    case "failed":
      return {
        en: `nvidia-smi failed (exit ${n.exitCode}): ${n.message}; reinstall or reload the NVIDIA driver`,
        ko: `nvidia-smi 실패 (종료 코드 ${n.exitCode}): ${n.message}; NVIDIA 드라이버를 다시 설치하거나 다시 불러오세요`,
      };
    case "ok":
      return null;
  }
}

function cudaStatus(input: BackendInput, pkg: PrebuiltPackage | undefined): BackendStatus {
  const no = (reason: Bilingual): BackendStatus => ({ backend: "cuda", usable: false, reason });
  if (input.platform === "darwin") return no({ en: "CUDA does not exist on macOS", ko: "macOS에는 CUDA가 없습니다" });
  if (!pkg) {
    return no({
      en: `no prebuilt CUDA package for ${input.platform}-${input.arch} is installed`,
      ko: `${input.platform}-${input.arch}용 CUDA 사전 빌드 패키지가 설치되어 있지 않습니다`,
    });
  }
  const problems: Bilingual[] = [];
  const driver = nvidiaProblem(input.nvidia);
  if (driver) problems.push(driver);
  const major = cudaMajor(pkg.needs);
  if (input.nvidia.status === "ok" && major !== null && input.nvidia.cudaVersion && !versionAtLeast(input.nvidia.cudaVersion, `${major}.0`)) {
    problems.push({
      en: `the driver supports CUDA ${input.nvidia.cudaVersion} but ${pkg.name} links the CUDA ${major} runtime: update the NVIDIA driver to one that reports CUDA ${major}.0 or newer`,
      ko: `드라이버가 CUDA ${input.nvidia.cudaVersion}까지 지원하지만 ${pkg.name}은(는) CUDA ${major} 런타임을 씁니다: CUDA ${major}.0 이상을 지원하는 NVIDIA 드라이버로 업데이트하세요`,
    });
  }
  const missing = pkg.needs.filter((name) => !input.libraries.find((l) => l.name === name)?.foundAt);
  if (missing.length > 0) {
    problems.push({
      en: `${missing.join(", ")} not found: the CUDA build needs the NVIDIA driver${major ? `, the CUDA ${major} runtime and cuBLAS ${major}` : ""} on the library path`,
      ko: `${missing.join(", ")}을(를) 찾을 수 없음: CUDA 빌드에는 NVIDIA 드라이버${major ? `, CUDA ${major} 런타임과 cuBLAS ${major}` : ""}가 라이브러리 경로에 있어야 합니다`,
    });
  }
  if (input.loaded === "cuda") {
    const names = input.deviceNames.join(", ") || "?";
    return { backend: "cuda", usable: true, reason: { en: `CUDA build loaded (${names})`, ko: `CUDA 빌드 사용 중 (${names})` } };
  }
  if (problems.length > 0) {
    return no({ en: problems.map((p) => p.en).join("; "), ko: problems.map((p) => p.ko).join("; ") });
  }
  return no({
    en: "the driver and libraries look present, but node-llama-cpp could not load its CUDA build (run with --verbose for its log)",
    ko: "드라이버와 라이브러리는 있어 보이지만 node-llama-cpp가 CUDA 빌드를 불러오지 못했습니다 (--verbose로 로그 확인)",
  });
}

function vulkanStatus(input: BackendInput, pkg: PrebuiltPackage | undefined): BackendStatus {
  const no = (reason: Bilingual): BackendStatus => ({ backend: "vulkan", usable: false, reason });
  if (!pkg) {
    return no({
      en: `no prebuilt Vulkan package for ${input.platform}-${input.arch} is installed`,
      ko: `${input.platform}-${input.arch}용 Vulkan 사전 빌드 패키지가 설치되어 있지 않습니다`,
    });
  }
  if (input.loaded === "vulkan") {
    if (input.deviceNames.length === 0) {
      // ggml-vulkan hides CPU-type devices (llvmpipe, lavapipe): a Mesa install on a machine without a GPU lands here.
      return no({
        en: "Vulkan build loaded, but it sees no GPU (software devices such as llvmpipe are hidden): computing on the CPU with the Vulkan build's CPU backend",
        ko: "Vulkan 빌드를 불러왔지만 GPU가 보이지 않습니다 (llvmpipe 같은 소프트웨어 장치는 숨겨짐): Vulkan 빌드의 CPU 백엔드로 CPU에서 계산합니다",
      });
    }
    const names = input.deviceNames.join(", ");
    return { backend: "vulkan", usable: true, reason: { en: `Vulkan build loaded (${names})`, ko: `Vulkan 빌드 사용 중 (${names})` } };
  }
  const missing = pkg.needs.filter((name) => !input.libraries.find((l) => l.name === name)?.foundAt);
  if (missing.length > 0) {
    return no({
      en: `${missing.join(", ")} not found: install the Vulkan loader and your GPU's Vulkan driver`,
      ko: `${missing.join(", ")}을(를) 찾을 수 없음: Vulkan 로더와 GPU의 Vulkan 드라이버를 설치하세요`,
    });
  }
  if (input.loaded === "cuda") {
    return no({ en: "not needed: the CUDA build is preferred and loaded", ko: "필요 없음: CUDA 빌드를 우선 사용 중" });
  }
  return no({
    en: "the Vulkan loader is present but node-llama-cpp found no usable Vulkan GPU",
    ko: "Vulkan 로더는 있지만 node-llama-cpp가 쓸 수 있는 Vulkan GPU를 찾지 못했습니다",
  });
}

function metalStatus(input: BackendInput): BackendStatus {
  if (input.loaded === "metal") {
    return { backend: "metal", usable: true, reason: { en: "Metal build loaded (Apple GPU)", ko: "Metal 빌드 사용 중 (Apple GPU)" } };
  }
  const reason =
    input.platform === "darwin" && input.arch === "arm64"
      ? { en: "node-llama-cpp could not load its Metal build", ko: "node-llama-cpp가 Metal 빌드를 불러오지 못했습니다" }
      : { en: "Metal exists only on Apple Silicon Macs", ko: "Metal은 Apple Silicon Mac에만 있습니다" };
  return { backend: "metal", usable: false, reason };
}

function cpuStatus(input: BackendInput): BackendStatus {
  const variant = input.cpuVariant ? `libggml-cpu-${input.cpuVariant}` : "ggml CPU backend";
  const used = input.loaded === false || input.compute === "cpu";
  return {
    backend: "cpu",
    usable: true,
    reason: used
      ? { en: `${variant} (chosen by ggml for this CPU's instruction set)`, ko: `${variant} (이 CPU의 명령어 집합에 맞춰 ggml이 선택)` }
      : { en: `${variant} also available as a fallback`, ko: `${variant}도 대체 수단으로 사용 가능` },
  };
}

/** Decides the backend from detection results and explains each alternative. */
export function decideBackend(input: BackendInput): BackendDecision {
  const compatible = input.packages.filter((p) => p.compatible);
  const withNeeds = (gpu: GpuBuild) => compatible.find((p) => p.gpu === gpu && p.needs.length > 0) ?? compatible.find((p) => p.gpu === gpu);
  const statuses = [
    cudaStatus(input, withNeeds("cuda")),
    vulkanStatus(input, withNeeds("vulkan")),
    metalStatus(input),
    cpuStatus(input),
  ];
  // A GPU build computes on the CPU when it sees no usable GPU (e.g. the Vulkan build with only llvmpipe).
  const backend: Backend = input.compute ?? (input.loaded === false ? "cpu" : input.loaded);
  statuses.sort((a, b) => Number(b.backend === backend) - Number(a.backend === backend));
  return { backend, binDir: input.binDir, cpuVariant: input.cpuVariant, statuses };
}
