// The ggml bindings load the copy node-llama-cpp loaded, pass the ABI check, and compute on the CPU backend.
import { describe, expect, it } from "vitest";
import { backendFeatures } from "../src/native/cpu-features.js";
import { loadGgml, openBackend } from "../src/native/ggml-runtime.js";
import fs from "node:fs";

describe("ggml runtime", () => {
  it("loads the libraries node-llama-cpp chose and registers the CPU backend once", async () => {
    const rt = await loadGgml("cpu");
    expect(rt.paths.base).toMatch(/ggml-base/);
    expect(rt.registeredBackends.filter((name) => name === "CPU")).toHaveLength(1);
  });

  it("computes a matmul on the CPU backend equal to the product worked out by hand", async () => {
    const rt = await loadGgml("cpu");
    const { api } = rt;
    const backend = openBackend(rt, { threads: 2 });
    const ctx = api.ggml_init({ mem_size: 16 * api.ggml_tensor_overhead() + api.ggml_graph_overhead_custom(16, false), mem_buffer: null, no_alloc: true });
    const a = api.ggml_new_tensor_2d(ctx, 0, 2, 3); // [2, 3]: 3 rows of 2
    const b = api.ggml_new_tensor_2d(ctx, 0, 2, 1); // [2, 1]: one column of 2
    const c = api.ggml_mul_mat(ctx, a, b); //          [3, 1]: row i of a dotted with b
    const graph = api.ggml_new_graph_custom(ctx, 16, false);
    api.ggml_build_forward_expand(graph, c);
    const buffer = api.ggml_backend_alloc_ctx_tensors(ctx, backend.handle);
    expect(buffer).toBeTruthy();
    api.ggml_backend_tensor_set(a, new Float32Array([1, 2, 3, 4, 5, 6]), 0, 24);
    api.ggml_backend_tensor_set(b, new Float32Array([10, 1]), 0, 8);
    expect(api.ggml_backend_graph_compute(backend.handle, graph)).toBe(0);
    const out = new Float32Array(3);
    api.ggml_backend_tensor_get(c, out, 0, 12);
    expect([...out]).toEqual([12, 34, 56]);
    api.ggml_backend_buffer_free(buffer!);
    api.ggml_free(ctx);
    backend.dispose();
  });

  it("reads which instructions the loaded CPU library uses, within what this CPU has", async () => {
    const runtime = await loadGgml();
    const backend = openBackend(runtime, { device: "cpu", threads: 1 });
    const features = backendFeatures(runtime.api, backend.device);
    backend.dispose();
    expect(features.length).toBeGreaterThan(0);
    if (process.platform !== "linux" || process.arch !== "x64") return;
    // node-llama-cpp loads the newest build this CPU runs: AVX2 where the CPU has it, and nothing the CPU lacks.
    const flags = new Set(fs.readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1]?.trim().split(/\s+/));
    if (!process.env.LOCALTUNE_CPU_VARIANT) expect(features.includes("AVX2")).toBe(flags.has("avx2"));
    if (features.includes("AVX512_BF16")) expect(flags.has("avx512_bf16")).toBe(true);
  });
});
