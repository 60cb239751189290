import { describe, expect, it } from "vitest";
import { locateGgmlLibraries } from "./ggml-paths.js";

describe("locateGgmlLibraries", () => {
  it("picks the libraries beside the addon on Linux", () => {
    const dir = "/x/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda";
    const paths = locateGgmlLibraries([
      "/usr/lib/libc.so.6",
      `${dir}/llama-addon.node`,
      `${dir}/libggml-base.so`,
      `${dir}/libggml.v0.4.0.so`,
      `${dir}/libggml-cuda.so`,
      "/other/libggml-base.so",
    ]);
    expect(paths).toEqual({ binDir: dir, base: `${dir}/libggml-base.so`, registry: `${dir}/libggml.v0.4.0.so` });
  });
  it("recognises Windows and macOS names", () => {
    const win = locateGgmlLibraries(["C:/n/bins/win-x64/llama-addon.node", "C:/n/bins/win-x64/ggml-base.dll", "C:/n/bins/win-x64/ggml.dll"]);
    expect([win.base, win.registry]).toEqual(["C:/n/bins/win-x64/ggml-base.dll", "C:/n/bins/win-x64/ggml.dll"]);
    const mac = locateGgmlLibraries(["/m/llama-addon.node", "/m/libggml-base.dylib", "/m/libggml.dylib"]);
    expect([mac.base, mac.registry]).toEqual(["/m/libggml-base.dylib", "/m/libggml.dylib"]);
  });
  it("says what to do when the addon is not loaded", () => {
    expect(() => locateGgmlLibraries(["/usr/lib/libc.so.6"])).toThrow(/getLlamaRuntime/);
  });
});
