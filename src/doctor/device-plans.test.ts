import { describe, expect, it } from "vitest";
import { otherPlanTargets } from "./doctor.js";
import type { DeviceSummary } from "./detect.js";

const GIB = 2 ** 30;
const cpu: DeviceSummary = { name: "CPU", description: "Intel Core i7", type: "cpu", backend: "CPU", freeBytes: 0, totalBytes: 0, software: false };
const rtx: DeviceSummary = { name: "CUDA0", description: "RTX 4060 Laptop", type: "gpu", backend: "CUDA", freeBytes: 7 * GIB, totalBytes: 8 * GIB, software: false };
const lavapipe: DeviceSummary = { name: "Vulkan0", description: "llvmpipe", type: "gpu", backend: "Vulkan", freeBytes: 20 * GIB, totalBytes: 20 * GIB, software: true };
const memory = { totalBytes: 32 * GIB, availableBytes: 20 * GIB };

describe("doctor: plans per device", () => {
  it("plans the CPU (with the RAM) beside a GPU that computes", () => {
    const targets = otherPlanTargets({ devices: [rtx, cpu], compute: { device: rtx, reason: { en: "", ko: "" } }, memory } as never);
    expect(targets).toEqual([{ device: cpu, backend: "cpu", memoryBytes: 20 * GIB }]);
  });
  it("plans a real GPU (with its free memory) beside the CPU, never a software device", () => {
    const targets = otherPlanTargets({ devices: [lavapipe, rtx, cpu], compute: { device: cpu, reason: { en: "", ko: "" } }, memory } as never);
    expect(targets).toEqual([{ device: rtx, backend: "cuda", memoryBytes: 7 * GIB }]);
  });
  it("has nothing more to plan on a CPU-only machine", () => {
    expect(otherPlanTargets({ devices: [cpu], compute: { device: cpu, reason: { en: "", ko: "" } }, memory } as never)).toEqual([]);
  });
});
