// The matmul throughput this machine gives ggml: one F32 mul_mat of a given shape on the CPU backend, repeated, median
// GFLOP/s. bench:train divides its achieved GFLOP/s by this to say how close training runs to the machine's limit.
import { GgmlType } from "../src/formats/gguf/index.js";
import { GraphContext } from "../src/engine/graph-context.js";
import { loadGgml, openBackend } from "../src/native/ggml-runtime.js";
import { seededRandom } from "../src/engine/random.js";
import { median } from "./stats.js";

/** GFLOP/s of C [n, m] = A [k, m]^T B [k, n] (ggml: mul_mat(A, B)), B in F32 and A in F32 or `aType` (BF16:
 *  mul_mat converts B, as in `--precision bf16`), median of `repeats` after one warm-up. */
export async function matmulGflops(m: number, k: number, n: number, threads: number, repeats = 7, aType: GgmlType = GgmlType.F32): Promise<number> {
  const runtime = await loadGgml();
  const { api } = runtime;
  const backend = openBackend(runtime, { device: "cpu", threads });
  const g = new GraphContext(api, 8);
  const a = g.input("a", GgmlType.F32, [k, m]);
  const b = g.input("b", GgmlType.F32, [k, n]);
  g.expand(api.ggml_mul_mat(g.ctx, aType === GgmlType.F32 ? a : api.ggml_cast(g.ctx, a, aType), b));
  const galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(backend.handle));
  try {
    if (!api.ggml_gallocr_alloc_graph(galloc, g.graph)) throw new Error("could not allocate the matmul benchmark");
    const random = seededRandom(1);
    for (const [t, count] of [[a, k * m], [b, k * n]] as const) {
      const values = Float32Array.from({ length: count }, () => random() - 0.5);
      api.ggml_backend_tensor_set(t, values, 0, values.byteLength);
    }
    const seconds: number[] = [];
    for (let i = 0; i <= repeats; i++) {
      const start = performance.now();
      api.ggml_backend_graph_compute(backend.handle, g.graph);
      if (i > 0) seconds.push((performance.now() - start) / 1000);
    }
    return (2 * m * k * n) / median(seconds) / 1e9;
  } finally {
    api.ggml_gallocr_free(galloc);
    g.dispose();
    backend.dispose();
  }
}
