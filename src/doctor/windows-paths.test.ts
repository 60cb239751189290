// The doctor's platform branches with Windows and macOS inputs, checked on any machine: paths with drive letters and
// backslashes, PATH split at ";", .dll names.
import { describe, expect, it } from "vitest";
import { calibrationCacheDir } from "./calibration.js";
import { librarySearchDirs } from "./libraries.js";
import { loadedBinaries } from "./prebuilt.js";

describe("Windows paths in the doctor", () => {
  it("splits a Windows PATH at ';' (drive letters keep their ':') and adds System32 and the CUDA toolkit", () => {
    const dirs = librarySearchDirs("win32", {
      PATH: "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0\\bin;C:\\Windows\\system32;D:\\tools",
      SystemRoot: "C:\\Windows",
      CUDA_PATH: "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0",
    });
    expect(dirs).toEqual([
      "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0\\bin",
      "C:\\Windows\\system32",
      "D:\\tools",
      "C:\\Windows\\System32",
      "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0\\bin",
      "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v13.0\\bin\\x64",
    ]);
  });
  it("puts the calibration cache under %LOCALAPPDATA% with backslashes, and under ~/Library/Caches on macOS", () => {
    expect(calibrationCacheDir({ LOCALAPPDATA: "C:\\Users\\민수\\AppData\\Local" }, "win32")).toBe("C:\\Users\\민수\\AppData\\Local\\localtune\\cache");
    expect(calibrationCacheDir({ LOCALTUNE_CACHE_DIR: "D:\\cache" }, "win32")).toBe("D:\\cache");
    expect(calibrationCacheDir({}, "darwin")).toMatch(/\/Library\/Caches\/localtune$/);
  });
  it("finds the addon folder and the CPU variant in a Windows list of loaded DLLs", () => {
    const dir = "C:\\Users\\me\\app\\node_modules\\@node-llama-cpp\\win-x64-cuda\\bins\\win-x64-cuda";
    const found = loadedBinaries(["C:\\Windows\\System32\\kernel32.dll", `${dir}\\llama-addon.node`, `${dir}\\ggml-base.dll`, `${dir}\\ggml-cpu-alderlake.dll`, `${dir}\\ggml-cuda.dll`]);
    expect(found).toEqual({ binDir: dir, cpuVariant: "alderlake" });
  });
  it("and in a macOS list of dylibs (Metal build: the CPU variants are .so there)", () => {
    const dir = "/Users/me/app/node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal";
    expect(loadedBinaries([`${dir}/llama-addon.node`, `${dir}/libggml-base.dylib`, `${dir}/libggml-cpu-apple_m2_m3.so`])).toEqual({ binDir: dir, cpuVariant: "apple_m2_m3" });
  });
});
