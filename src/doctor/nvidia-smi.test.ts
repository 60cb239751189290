// Parses recorded-format nvidia-smi outputs (test/fixtures/doctor/nvidia-smi): driver/CUDA pairs, two GPUs, a
// Windows laptop GPU, unified memory, no GPU, a failing driver, and a missing nvidia-smi (a real failed spawn).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand, type CommandRunner } from "./command.js";
import { parseNvidiaSmiCsv, parseNvidiaSmiHeader, queryNvidiaSmi, versionAtLeast } from "./nvidia-smi.js";

const DIR = path.resolve("test/fixtures/doctor/nvidia-smi");
const cases = JSON.parse(fs.readFileSync(path.join(DIR, "cases.json"), "utf8")) as Record<string, { queryExitCode: number }>;
const MIB = 1024 * 1024;

/** Replays a fixture folder: the CSV query gets query.txt, the plain call gets banner.txt. */
function replay(name: string): CommandRunner {
  return async (_file, args) => {
    const isQuery = args.some((a) => a.startsWith("--query-gpu="));
    const file = path.join(DIR, name, isQuery ? "query.txt" : "banner.txt");
    const exitCode = isQuery ? cases[name]!.queryExitCode : 0;
    return { stdout: fs.readFileSync(file, "utf8"), stderr: "", exitCode };
  };
}

describe("nvidia-smi", () => {
  it("reads driver 535 / CUDA 12.2 with one RTX 3090", async () => {
    const r = await queryNvidiaSmi(replay("linux-535-rtx3090"));
    expect(r).toEqual({
      status: "ok",
      driverVersion: "535.104.05",
      cudaVersion: "12.2",
      gpus: [
        {
          index: 0,
          name: "NVIDIA GeForce RTX 3090",
          memoryTotalBytes: 24576 * MIB,
          memoryUsedBytes: 612 * MIB,
          memoryFreeBytes: 23663 * MIB,
          driverVersion: "535.104.05",
          pciBusId: "00000000:01:00.0",
        },
      ],
    });
  });

  it("reads two GPUs of different models under driver 550 / CUDA 12.4", async () => {
    const r = await queryNvidiaSmi(replay("linux-550-two-gpus"));
    if (r.status !== "ok") throw new Error(`expected ok, got ${r.status}`);
    expect(r.cudaVersion).toBe("12.4");
    expect(r.gpus.map((g) => [g.index, g.name, g.memoryTotalBytes! / MIB, g.memoryFreeBytes! / MIB])).toEqual([
      [0, "NVIDIA GeForce RTX 4090", 24564, 24216],
      [1, "NVIDIA GeForce RTX 3060", 12288, 12012],
    ]);
  });

  it("reads driver 580 / CUDA 13.0, the first that can run CUDA 13 builds", async () => {
    const r = await queryNvidiaSmi(replay("linux-580-rtx5090"));
    if (r.status !== "ok") throw new Error(`expected ok, got ${r.status}`);
    expect([r.driverVersion, r.cudaVersion, r.gpus[0]!.memoryTotalBytes! / MIB]).toEqual(["580.65.06", "13.0", 32607]);
    expect(versionAtLeast(r.cudaVersion!, "13.0")).toBe(true);
  });

  it("reads a Windows laptop GPU with CRLF output", async () => {
    const r = await queryNvidiaSmi(replay("windows-546-rtx4060-laptop"));
    if (r.status !== "ok") throw new Error(`expected ok, got ${r.status}`);
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]!.name).toBe("NVIDIA GeForce RTX 4060 Laptop GPU");
    expect(r.gpus[0]!.memoryTotalBytes).toBe(8188 * MIB);
    expect(r.gpus[0]!.pciBusId).toBe("00000000:01:00.0");
    expect([r.driverVersion, r.cudaVersion]).toEqual(["546.33", "12.3"]);
    expect(versionAtLeast(r.cudaVersion!, "13.0")).toBe(false);
  });

  it("keeps [N/A] memory of a unified-memory GPU as unknown, not zero", async () => {
    const r = await queryNvidiaSmi(replay("linux-580-gb10-unified"));
    if (r.status !== "ok") throw new Error(`expected ok, got ${r.status}`);
    expect(r.gpus[0]).toMatchObject({ name: "NVIDIA GB10", memoryTotalBytes: null, memoryFreeBytes: null });
  });

  it("reports no GPU when nvidia-smi finds none", async () => {
    expect(await queryNvidiaSmi(replay("no-devices"))).toEqual({ status: "no-devices", message: "No devices were found" });
  });

  it("reports a driver that nvidia-smi cannot reach, with its exit code and message", async () => {
    const r = await queryNvidiaSmi(replay("driver-failed"));
    expect(r.status).toBe("failed");
    if (r.status !== "failed") return;
    expect(r.exitCode).toBe(9);
    expect(r.message).toMatch(/^NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
  });

  it("reports a missing nvidia-smi from a real failed spawn (ENOENT)", async () => {
    expect(await queryNvidiaSmi(runCommand, "nvidia-smi-not-installed-localtune-test")).toEqual({ status: "missing" });
  });

  it("rejects a line with too few fields instead of misreading it", () => {
    expect(() => parseNvidiaSmiCsv("0, NVIDIA GeForce RTX 4090, 24564\n")).toThrow(/expected 7 comma-separated fields/);
  });

  it("finds no CUDA version in a banner that lacks one", () => {
    expect(parseNvidiaSmiHeader("NVIDIA-SMI 390.157  Driver Version: 390.157\n")).toEqual({
      driverVersion: "390.157",
      cudaVersion: null,
    });
  });

  it("compares dotted versions numerically", () => {
    expect(versionAtLeast("12.10", "12.9")).toBe(true);
    expect(versionAtLeast("12.4", "13.0")).toBe(false);
    expect(versionAtLeast("13", "13.0")).toBe(true);
  });
});
