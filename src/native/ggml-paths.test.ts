import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { locateGgmlLibraries, pickGgmlLibraryNames } from "./ggml-paths.js";

interface PackageListing {
  package: string;
  files: string[];
}

const fixtureDir = path.join(import.meta.dirname, "../../test/fixtures/node-llama-cpp-packages");
const listings: PackageListing[] = fs
  .readdirSync(fixtureDir)
  .map((name) => JSON.parse(fs.readFileSync(path.join(fixtureDir, name), "utf8")) as PackageListing);

// The registry library expected in each package with an addon, read from the listings by hand.
const EXPECTED_REGISTRY: Record<string, string> = {
  "@node-llama-cpp/linux-arm64": "libggml.v0.4.0.so",
  "@node-llama-cpp/linux-armv7l": "libggml.v0.4.0.so",
  "@node-llama-cpp/linux-riscv64": "libggml.v0.4.0.so",
  "@node-llama-cpp/linux-x64": "libggml.v0.4.0.so",
  "@node-llama-cpp/linux-x64-cuda": "libggml.cuda.v0.4.0.so",
  "@node-llama-cpp/linux-x64-vulkan": "libggml.vulkan.v0.4.0.so",
  "@node-llama-cpp/mac-arm64-metal": "libggml.metal.v0.4.0.dylib",
  "@node-llama-cpp/mac-x64": "libggml.v0.4.0.dylib",
  "@node-llama-cpp/win-arm64": "ggml.v0.4.0.dll",
  "@node-llama-cpp/win-x64": "ggml.v0.4.0.dll",
  "@node-llama-cpp/win-x64-cuda": "ggml.cuda.v0.4.0.dll",
  "@node-llama-cpp/win-x64-vulkan": "ggml.vulkan.v0.4.0.dll",
};

describe("ggml library discovery against every prebuilt package of node-llama-cpp 3.21.1", () => {
  it("has a listing for all 14 packages", () => {
    expect(listings.length).toBe(14);
    for (const l of listings) expect(l.files.length).toBeGreaterThan(0);
  });
  for (const listing of listings) {
    const addon = listing.files.find((f) => f.endsWith("/llama-addon.node"));
    if (!addon) {
      // The -ext packages carry only a fallback CUDA backend library for the main CUDA package.
      it(`${listing.package}: no addon, nothing to discover`, () => {
        expect(listing.package).toMatch(/cuda-ext$/);
        expect(pickGgmlLibraryNames(listing.files.map((f) => path.posix.basename(f))).registry).toBeUndefined();
      });
      continue;
    }
    it(`${listing.package}: finds ggml-base and the registry library beside the addon`, () => {
      const binDir = path.posix.dirname(addon);
      const names = listing.files.filter((f) => path.posix.dirname(f) === binDir).map((f) => path.posix.basename(f));
      const windows = listing.package.includes("/win-");
      // As Node's report lists them: absolute paths in the platform's own form.
      const root = windows ? "C:\\Users\\me\\app\\node_modules\\" + listing.package.replace("/", "\\") : "/home/me/app/node_modules/" + listing.package;
      const join = (name: string) => (windows ? `${root}\\${binDir.replaceAll("/", "\\")}\\${name}` : `${root}/${binDir}/${name}`);
      const found = locateGgmlLibraries([join("llama-addon.node")], () => names);
      expect(path.basename(found.registry.replaceAll("\\", "/"))).toBe(EXPECTED_REGISTRY[listing.package]);
      expect(path.basename(found.base.replaceAll("\\", "/"))).toMatch(/^(lib)?ggml-base\.(so|dll|dylib)$/);
      expect(found.binDir).toBe(windows ? `${root}\\${binDir.replaceAll("/", "\\")}` : `${root}/${binDir}`);
    });
  }
});

describe("locateGgmlLibraries", () => {
  it("prefers the libraries mapped into the process beside the addon", () => {
    const dir = "/x/node_modules/@node-llama-cpp/linux-x64-cuda/bins/linux-x64-cuda";
    const paths = locateGgmlLibraries(
      ["/usr/lib/libc.so.6", `${dir}/llama-addon.node`, `${dir}/libggml-base.so`, `${dir}/libggml.cuda.v0.4.0.so`, `${dir}/libggml-cuda.so`, "/other/libggml-base.so"],
      () => [],
    );
    expect(paths).toEqual({ binDir: dir, base: `${dir}/libggml-base.so`, registry: `${dir}/libggml.cuda.v0.4.0.so` });
  });
  it("never takes a backend library (ggml-cpu-*, ggml-cuda, ggml-vulkan) for the registry", () => {
    expect(pickGgmlLibraryNames(["libggml-cpu-haswell.so", "libggml-vulkan.so", "ggml-cuda.dll", "libggml-blas.so"])).toEqual({});
  });
  it("says what to do when the addon is not loaded", () => {
    expect(() => locateGgmlLibraries(["/usr/lib/libc.so.6"])).toThrow(/getLlamaRuntime/);
  });
  it("says what is missing when the folder lacks the libraries", () => {
    expect(() => locateGgmlLibraries(["/a/llama-addon.node"], () => ["llama-addon.node"])).toThrow(/libggml-base/);
  });
});
