import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cpuVariantFileName, cpuVariantsIn } from "./cpu-variant.js";

describe("CPU backend variants", () => {
  it("names each platform's library file and lists the variants of a folder", () => {
    expect(cpuVariantFileName("haswell", "linux")).toBe("libggml-cpu-haswell.so");
    expect(cpuVariantFileName("haswell", "win32")).toBe("ggml-cpu-haswell.dll");
    expect(cpuVariantFileName("x64", "darwin")).toBe("libggml-cpu-x64.dylib");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-variants-"));
    for (const name of ["libggml-cpu-skylakex.so", "libggml-cpu-haswell.so", "libggml-base.so", "libggml-vulkan.so", "ggml-cpu-sse42.dll"]) fs.writeFileSync(path.join(dir, name), "");
    expect(cpuVariantsIn(dir)).toEqual(["haswell", "skylakex", "sse42"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // x86-64 Linux only: the prebuilt CPU build there ships one library per ISA level.
  it.runIf(process.platform === "linux" && process.arch === "x64")(
    "LOCALTUNE_CPU_VARIANT=sse42 computes the same logits on the SSE4.2 build as the best build does, and a missing variant lists the others",
    () => {
      const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-variant-")), "forward.mts");
      const src = path.resolve("src");
      fs.writeFileSync(
        script,
        `import { EngineModel } from ${JSON.stringify(path.join(src, "engine/model.js"))};
import { forwardLogits } from ${JSON.stringify(path.join(src, "engine/forward.js"))};
const model = await EngineModel.load(${JSON.stringify(path.resolve("models/stories260K.gguf"))}, { threads: 1 });
const logits = forwardLogits(model, { tokens: Int32Array.from({ length: 16 }, (_, i) => 1 + 7 * i), sequences: 1, outputRows: Int32Array.of(15) });
console.log(JSON.stringify(Array.from(logits.subarray(0, 64))));
model.dispose();
`,
      );
      const run = (variant?: string) =>
        execFileSync(process.execPath, [path.resolve("bin/run-ts.js"), script], { env: { ...process.env, LOCALTUNE_DEVICE: "cpu", ...(variant ? { LOCALTUNE_CPU_VARIANT: variant } : {}) }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const last = (out: string) => JSON.parse(out.trim().split("\n").pop()!) as number[];
      const best = last(run());
      const sse = last(run("sse42"));
      for (let i = 0; i < best.length; i++) expect(Math.abs(sse[i]! - best[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(best[i]!)));
      expect(() => run("no-such-isa")).toThrow(/LOCALTUNE_CPU_VARIANT=no-such-isa.*haswell/s);
    },
    120_000,
  );
});
