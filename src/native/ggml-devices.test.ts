import { describe, expect, it } from "vitest";
import { DeviceUnavailableError } from "../errors.js";
import { isSoftwareDevice, pickDevice } from "./ggml-devices.js";

const GIB = 2 ** 30;
const cpu = { name: "CPU", description: "Intel Core i7-1255U", type: "cpu" as const, backend: "CPU", freeBytes: 16 * GIB, software: false };
const rtx = { name: "CUDA0", description: "NVIDIA GeForce RTX 4060 Laptop GPU", type: "gpu" as const, backend: "CUDA", freeBytes: 7 * GIB, software: false };
const vk = { name: "Vulkan0", description: "NVIDIA GeForce RTX 4060 Laptop GPU", type: "gpu" as const, backend: "Vulkan", freeBytes: 7 * GIB, software: false };
const lavapipe = { name: "Vulkan0", description: "llvmpipe (LLVM 15.0.6, 256 bits)", type: "gpu" as const, backend: "Vulkan", freeBytes: 20 * GIB, software: true };

describe("pickDevice", () => {
  it("auto takes a real GPU when the work fits its free memory", () => {
    expect(pickDevice([rtx, cpu], "auto", 3 * GIB).device).toBe(rtx);
    expect(pickDevice([rtx, cpu], "auto").device).toBe(rtx);
  });
  it("auto falls back to the CPU, with the numbers, when the plan does not fit the GPU", () => {
    const pick = pickDevice([rtx, cpu], "auto", 9 * GIB);
    expect(pick.device).toBe(cpu);
    expect(pick.reason.en).toMatch(/7\.00 GiB free, the plan needs 9\.00 GiB/);
  });
  it("auto never picks a software device, even one with more memory", () => {
    const pick = pickDevice([lavapipe, cpu], "auto", GIB);
    expect(pick.device).toBe(cpu);
    expect(pick.reason.en).toMatch(/software/);
  });
  it("a named backend takes its device, a software one only when it is all there is", () => {
    expect(pickDevice([vk, cpu], "vulkan").device).toBe(vk);
    expect(pickDevice([lavapipe, vk, cpu], "vulkan").device).toBe(vk);
    const soft = pickDevice([lavapipe, cpu], "vulkan");
    expect(soft.device).toBe(lavapipe);
    expect(soft.reason.en).toMatch(/software device/);
  });
  it("a named backend that is not there is a clear error naming what was found", () => {
    expect(() => pickDevice([cpu], "cuda")).toThrow(DeviceUnavailableError);
    expect(() => pickDevice([vk, cpu], "cuda")).toThrow(/found: Vulkan0 \(NVIDIA GeForce RTX 4060 Laptop GPU\), CPU \(Intel Core i7-1255U\)/);
    expect(() => pickDevice([cpu], "vulkan")).toThrow(/GGML_VK_VISIBLE_DEVICES/);
  });
  it("cpu is the CPU whatever GPUs exist", () => {
    expect(pickDevice([rtx, cpu], "cpu").device).toBe(cpu);
  });
});

describe("isSoftwareDevice", () => {
  it("recognises Mesa's and Google's software rasterizers and nothing else", () => {
    for (const d of ["llvmpipe (LLVM 15.0.6, 256 bits)", "Lavapipe", "SwiftShader Device (Subzero)", "softpipe"]) expect(isSoftwareDevice(d)).toBe(true);
    for (const d of ["NVIDIA GeForce RTX 4060 Laptop GPU", "Intel(R) Iris(R) Xe Graphics", "Apple M2", "AMD Radeon 780M"]) expect(isSoftwareDevice(d)).toBe(false);
  });
});
