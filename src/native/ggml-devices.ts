// The ggml devices of the loaded build (CPU, GPUs, software rasterizers) and the one rule that picks where to compute.
// `auto` never picks a software device (llvmpipe, lavapipe, SwiftShader): they are slower than the CPU backend they
// emulate. ggml's Vulkan backend lists CPU-type Vulkan devices only with GGML_VK_VISIBLE_DEVICES set.
import type { Bilingual } from "../i18n/index.js";
import { DeviceUnavailableError } from "../errors.js";
import type { GgmlApi, GgmlDevice } from "./ggml-bindings.js";
import type { DeviceChoice } from "./device-choice.js";

export const GGML_DEVICE_TYPE = { cpu: 0, gpu: 1, igpu: 2, accel: 3 } as const;

export interface GgmlDeviceInfo {
  handle: GgmlDevice;
  /** ggml's device name, e.g. "CPU", "Vulkan0", "CUDA0", "MTL0". */
  name: string;
  /** The hardware, e.g. "NVIDIA GeForce RTX 4060 Laptop GPU" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  type: "cpu" | "gpu" | "igpu" | "accel";
  /** The backend registry it belongs to: "CPU", "CUDA", "Vulkan", "Metal", ... */
  backend: string;
  freeBytes: number;
  totalBytes: number;
  /** A software rasterizer exposed as a GPU: usable when named, never chosen by auto. */
  software: boolean;
}

const SOFTWARE_DEVICE = /llvmpipe|lavapipe|swiftshader|softpipe|software rasterizer/i;

export function isSoftwareDevice(description: string): boolean {
  return SOFTWARE_DEVICE.test(description);
}

const TYPE_NAMES = ["cpu", "gpu", "igpu", "accel"] as const;

/** Every device ggml registered in this process. */
export function listGgmlDevices(api: GgmlApi): GgmlDeviceInfo[] {
  return Array.from({ length: api.ggml_backend_dev_count() }, (_, i) => {
    const handle = api.ggml_backend_dev_get(i);
    const free: [number] = [0];
    const total: [number] = [0];
    api.ggml_backend_dev_memory(handle, free, total);
    const description = api.ggml_backend_dev_description(handle);
    return {
      handle,
      name: api.ggml_backend_dev_name(handle),
      description,
      type: TYPE_NAMES[api.ggml_backend_dev_type(handle)] ?? "accel",
      backend: api.ggml_backend_reg_name(api.ggml_backend_dev_backend_reg(handle)),
      freeBytes: Number(free[0]),
      totalBytes: Number(total[0]),
      software: isSoftwareDevice(description),
    };
  });
}

export interface DevicePick<D> {
  device: D;
  /** Why this device, for the run log and the doctor. */
  reason: Bilingual;
}

type PickInput = Pick<GgmlDeviceInfo, "name" | "description" | "type" | "backend" | "freeBytes" | "software">;

const BACKEND_OF: Record<Exclude<DeviceChoice, "auto" | "cpu">, string> = { cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" };
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2);

/**
 * Picks the compute device for `choice` (pure). `neededBytes`, when known, is the work's memory plan: auto falls back
 * to the CPU when no real GPU has that much free; a named backend that lacks it is still used (the caller's memory
 * check then refuses with numbers).
 */
export function pickDevice<D extends PickInput>(devices: readonly D[], choice: DeviceChoice, neededBytes?: number): DevicePick<D> {
  const cpu = devices.find((d) => d.type === "cpu");
  const gpus = devices.filter((d) => d.type === "gpu" || d.type === "igpu");
  const summary = devices.map((d) => `${d.name} (${d.description}${d.software ? ", software" : ""})`).join(", ") || "none";
  if (choice === "cpu" || choice === "auto") {
    if (choice === "auto") {
      const real = gpus.filter((d) => !d.software);
      const fitting = real.filter((d) => neededBytes === undefined || d.freeBytes >= neededBytes);
      if (fitting[0]) {
        const d = fitting[0];
        return { device: d, reason: { en: `auto: ${d.name} (${d.description}), ${gib(d.freeBytes)} GiB free`, ko: `auto: ${d.name} (${d.description}), 여유 ${gib(d.freeBytes)} GiB` } };
      }
      if (cpu) {
        const why = real[0]
          ? { en: `${real[0].name} has ${gib(real[0].freeBytes)} GiB free, the plan needs ${gib(neededBytes ?? 0)} GiB`, ko: `${real[0].name}의 여유 메모리 ${gib(real[0].freeBytes)} GiB < 필요 ${gib(neededBytes ?? 0)} GiB` }
          : gpus.length > 0
            ? { en: "only software GPU devices (never chosen by auto)", ko: "소프트웨어 GPU 장치뿐입니다 (auto는 고르지 않음)" }
            : { en: "no GPU device", ko: "GPU 장치 없음" };
        return { device: cpu, reason: { en: `auto: the CPU (${why.en})`, ko: `auto: CPU (${why.ko})` } };
      }
    } else if (cpu) {
      return { device: cpu, reason: { en: "--device cpu", ko: "--device cpu" } };
    }
    throw new DeviceUnavailableError(choice, summary, { en: "Reinstall with npm ci.", ko: "npm ci로 다시 설치하세요." });
  }
  const wanted = BACKEND_OF[choice];
  const named = gpus.filter((d) => d.backend.toLowerCase() === wanted.toLowerCase());
  // A real device first; a software one only when it is all there is (that is how lavapipe is tested).
  const device = named.find((d) => !d.software) ?? named[0];
  if (!device) {
    throw new DeviceUnavailableError(choice, summary, {
      en:
        choice === "vulkan"
          ? "Install the GPU's Vulkan driver (a software device such as llvmpipe is listed only with GGML_VK_VISIBLE_DEVICES set), or use --device auto."
          : `Check the ${wanted} driver${choice === "cuda" ? " and CUDA runtime" : ""} (localtune doctor lists what it sees), or use --device auto.`,
      ko:
        choice === "vulkan"
          ? "GPU의 Vulkan 드라이버를 설치하거나 (llvmpipe 같은 소프트웨어 장치는 GGML_VK_VISIBLE_DEVICES를 설정해야 보입니다) --device auto를 쓰세요."
          : `${wanted} 드라이버${choice === "cuda" ? "와 CUDA 런타임" : ""}을 확인하거나 (localtune doctor가 보이는 장치를 알려 줍니다) --device auto를 쓰세요.`,
    });
  }
  const soft = device.software ? { en: ", a software device: slow, for testing", ko: ", 소프트웨어 장치: 느림, 시험용" } : { en: "", ko: "" };
  return { device, reason: { en: `--device ${choice}: ${device.name} (${device.description}${soft.en})`, ko: `--device ${choice}: ${device.name} (${device.description}${soft.ko})` } };
}
