import { describe, expect, it } from "vitest";
import { DeviceConflictError, InvalidConfigError } from "../errors.js";
import { buildServes, currentDeviceChoice, nodeLlamaCppGpuOption, parseDeviceChoice, recordLoadedBuild, selectDevice } from "./device-choice.js";

describe("one device choice per process", () => {
  it("parses the five choices and refuses others with the list", () => {
    expect(parseDeviceChoice("vulkan")).toBe("vulkan");
    expect(() => parseDeviceChoice("gpu")).toThrow(InvalidConfigError);
    expect(() => parseDeviceChoice("rocm")).toThrow(/auto, cpu, cuda, vulkan, metal/);
  });
  it("maps a choice to node-llama-cpp's build option (the CPU build for cpu)", () => {
    expect(nodeLlamaCppGpuOption("cpu")).toBe(false);
    expect(nodeLlamaCppGpuOption("auto")).toBe("auto");
    expect(nodeLlamaCppGpuOption("metal")).toBe("metal");
  });
  it("every build serves cpu and auto (ggml's CPU backend is in each); only its own GPU otherwise", () => {
    expect(buildServes("vulkan", "cpu")).toBe(true);
    expect(buildServes("cuda", "auto")).toBe(true);
    expect(buildServes("cuda", "vulkan")).toBe(false);
    expect(buildServes("cpu", "cuda")).toBe(false);
  });
  it("is fixed once a build is loaded: a conflicting request fails with what to do", () => {
    selectDevice("cuda");
    expect(currentDeviceChoice()).toBe("cuda");
    recordLoadedBuild("cpu");
    expect(() => selectDevice("vulkan")).toThrow(DeviceConflictError);
    expect(() => selectDevice("vulkan")).toThrow(/one build per process/);
    selectDevice("cpu");
    expect(currentDeviceChoice()).toBe("cpu");
  });
});
