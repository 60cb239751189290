// The backend decision for situations this machine cannot produce: an old driver, a working CUDA build, Vulkan only.
import { describe, expect, it } from "vitest";
import { decideBackend, type BackendInput } from "./backend.js";
import type { PrebuiltPackage } from "./prebuilt.js";

const pkg = (name: string, gpu: PrebuiltPackage["gpu"], needs: string[]): PrebuiltPackage => ({
  name, version: "3.21.1", gpu, compatible: true, binDir: `/nm/${name}/bins`, needs,
});
const PACKAGES = [
  pkg("@node-llama-cpp/linux-x64", false, []),
  pkg("@node-llama-cpp/linux-x64-cuda", "cuda", ["libcublas.so.13", "libcuda.so.1", "libcudart.so.13"]),
  pkg("@node-llama-cpp/linux-x64-vulkan", "vulkan", ["libvulkan.so.1"]),
];
const found = (...names: string[]) =>
  ["libcublas.so.13", "libcuda.so.1", "libcudart.so.13", "libvulkan.so.1"].map((name) => ({
    name, foundAt: names.includes(name) ? `/usr/lib/${name}` : null,
  }));
const base: BackendInput = {
  platform: "linux", arch: "x64", packages: PACKAGES, libraries: found(), nvidia: { status: "missing" },
  loaded: false, deviceNames: [], cpuVariant: "haswell", binDir: "/nm/linux-x64/bins",
};
const reasonOf = (d: ReturnType<typeof decideBackend>, b: string) => d.statuses.find((s) => s.backend === b)!.reason.en;

describe("decideBackend", () => {
  it("on a CPU-only machine picks the CPU variant and says why CUDA and Vulkan are out", () => {
    const d = decideBackend(base);
    expect(d.backend).toBe("cpu");
    expect(d.statuses[0]!.backend).toBe("cpu");
    expect(reasonOf(d, "cpu")).toContain("libggml-cpu-haswell");
    expect(reasonOf(d, "cuda")).toContain("nvidia-smi not found");
    expect(reasonOf(d, "vulkan")).toContain("libvulkan.so.1 not found");
  });

  it("explains that a CUDA 12.4 driver cannot run the CUDA 13 build", () => {
    const d = decideBackend({
      ...base,
      libraries: found("libcuda.so.1", "libvulkan.so.1"),
      nvidia: { status: "ok", driverVersion: "550.54.14", cudaVersion: "12.4", gpus: [] },
      loaded: "vulkan",
      deviceNames: ["NVIDIA GeForce RTX 4090"],
    });
    expect(d.backend).toBe("vulkan");
    expect(reasonOf(d, "cuda")).toMatch(/supports CUDA 12.4 but @node-llama-cpp\/linux-x64-cuda links the CUDA 13 runtime/);
    expect(reasonOf(d, "cuda")).toContain("libcublas.so.13, libcudart.so.13 not found");
    expect(reasonOf(d, "vulkan")).toBe("Vulkan build loaded (NVIDIA GeForce RTX 4090)");
  });

  it("reports a loaded CUDA build with its devices", () => {
    const d = decideBackend({
      ...base,
      libraries: found("libcublas.so.13", "libcuda.so.1", "libcudart.so.13"),
      nvidia: { status: "ok", driverVersion: "580.65.06", cudaVersion: "13.0", gpus: [] },
      loaded: "cuda",
      deviceNames: ["NVIDIA GeForce RTX 5090"],
    });
    expect(d.backend).toBe("cuda");
    expect(d.statuses.map((s) => s.backend)).toEqual(["cuda", "vulkan", "metal", "cpu"]);
    expect(reasonOf(d, "cuda")).toBe("CUDA build loaded (NVIDIA GeForce RTX 5090)");
  });

  it("passes on nvidia-smi's failure message", () => {
    const message = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.";
    const d = decideBackend({ ...base, nvidia: { status: "failed", exitCode: 9, message } });
    expect(reasonOf(d, "cuda")).toContain(`nvidia-smi failed (exit 9): ${message}`);
  });
});
