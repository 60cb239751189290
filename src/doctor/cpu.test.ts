// CPU parsing against fixtures of each OS: a real /proc/cpuinfo of the development VM, and hand-written outputs of
// an Arm Linux board, an Intel and an Apple Silicon Mac, and a Windows laptop (wmic, PowerShell, ggml's feature line).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseGgmlSystemInfo,
  parsePowerShellCpu,
  parseProcCpuinfo,
  parseSysctl,
  parseWmicCpu,
  simdSummary,
} from "./cpu.js";

const read = (name: string) => fs.readFileSync(path.resolve("test/fixtures/doctor/cpu", name), "utf8");

describe("cpu parsing", () => {
  it("reads a Sapphire Rapids VM's /proc/cpuinfo: AVX-512 variants and AMX", () => {
    const cpu = parseProcCpuinfo(read("linux-x64-sapphirerapids-vm.cpuinfo.txt"));
    expect(cpu.model).toBe("Intel(R) Xeon(R) Processor");
    expect([cpu.cores, cpu.threads]).toEqual([2, 2]);
    expect(cpu.simd).toEqual([
      "SSE4.2", "AVX", "F16C", "FMA", "AVX2", "AVX-VNNI",
      "AVX512F", "AVX512CD", "AVX512DQ", "AVX512BW", "AVX512VL", "AVX512_IFMA", "AVX512_VBMI", "AVX512_VBMI2",
      "AVX512_VNNI", "AVX512_BF16", "AVX512_FP16", "AMX_TILE", "AMX_INT8", "AMX_BF16",
    ]);
    expect(simdSummary(cpu.simd)).toEqual({ avx2: true, avx512: true, amx: true, neon: false });
  });

  it("reads an Arm board's /proc/cpuinfo: NEON and dot product, model from the board line", () => {
    const cpu = parseProcCpuinfo(read("linux-arm64-pi5.cpuinfo.txt"));
    expect(cpu.model).toBe("Raspberry Pi 5 Model B Rev 1.0");
    expect([cpu.cores, cpu.threads]).toEqual([4, 4]);
    expect(cpu.simd).toEqual(["NEON", "DOTPROD"]);
    expect(simdSummary(cpu.simd)).toEqual({ avx2: false, avx512: false, amx: false, neon: true });
  });

  it("reads an Intel Mac's sysctl: AVX1.0 is AVX, leaf-7 features give AVX-512", () => {
    const cpu = parseSysctl(read("macos-intel-icelake.sysctl.txt"));
    expect(cpu.model).toBe("Intel(R) Core(TM) i7-1068NG7 CPU @ 2.30GHz");
    expect([cpu.cores, cpu.threads]).toEqual([4, 8]);
    expect(cpu.simd).toEqual([
      "SSE4.2", "AVX", "F16C", "FMA", "AVX2",
      "AVX512F", "AVX512CD", "AVX512DQ", "AVX512BW", "AVX512VL", "AVX512_IFMA", "AVX512_VBMI", "AVX512_VNNI",
    ]);
  });

  it("reads an Apple Silicon Mac's sysctl: NEON, dot product, I8MM, BF16, and SME=0 stays absent", () => {
    const cpu = parseSysctl(read("macos-apple-m2pro.sysctl.txt"));
    expect(cpu.model).toBe("Apple M2 Pro");
    expect([cpu.cores, cpu.threads]).toEqual([12, 12]);
    expect(cpu.simd).toEqual(["NEON", "DOTPROD", "I8MM", "BF16"]);
  });

  it("reads a Windows laptop from wmic and from PowerShell alike", () => {
    const expected = { model: "13th Gen Intel(R) Core(TM) i7-13620H", cores: 10, threads: 16 };
    expect(parseWmicCpu(read("windows-i7-13620h.wmic.txt"))).toEqual(expected);
    expect(parsePowerShellCpu(read("windows-i7-13620h.powershell.json"))).toEqual(expected);
  });

  it("adds up the sockets of a two-socket PowerShell answer", () => {
    const two = JSON.stringify([
      { Name: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", NumberOfCores: 32, NumberOfLogicalProcessors: 64 },
      { Name: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", NumberOfCores: 32, NumberOfLogicalProcessors: 64 },
    ]);
    expect(parsePowerShellCpu(two)).toMatchObject({ cores: 64, threads: 128 });
  });

  it("takes the SIMD set from ggml's feature line on Windows: AVX-VNNI but no AVX-512", () => {
    const simd = parseGgmlSystemInfo(read("windows-i7-13620h.ggml-system-info.txt"));
    expect(simd).toEqual(["AVX", "F16C", "FMA", "AVX2", "AVX-VNNI"]);
    expect(simdSummary(simd).avx512).toBe(false);
  });

  it("reads ggml's AVX512 / AMX names as the same features /proc/cpuinfo names", () => {
    const line = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | NEON = 0 |";
    expect(parseGgmlSystemInfo(line)).toEqual(["AVX", "AVX2", "AVX512F", "AVX512_VNNI", "AVX512_BF16", "AMX_INT8"]);
  });
});
