// Builds a small ggml graph, computes it once on the CPU backend and reads its output back: the harness of the tests
// that check one graph pass or one product against values worked out in a loop.
import { expect } from "vitest";
import { GraphContext } from "../../src/engine/graph-context.js";
import type { GgmlApi, GgmlTensor } from "../../src/native/ggml-bindings.js";
import { loadGgml, openBackend } from "../../src/native/ggml-runtime.js";

export interface BuiltGraph<T> {
  /** The F32 tensor to read back. */
  output: GgmlTensor;
  /** Input tensors and the bytes to write into them before computing. */
  inputs: ReadonlyArray<readonly [GgmlTensor, ArrayBufferView]>;
  /** Anything the build wants to report (what a pass changed). */
  extra: T;
}

/** Builds a graph with `build` (inputs made with g.input, the output expanded by the harness), computes it and
 *  returns the output's values. */
export async function computeOnCpu<T>(build: (g: GraphContext, api: GgmlApi) => BuiltGraph<T>, threads = 2): Promise<{ value: Float32Array; extra: T }> {
  const runtime = await loadGgml();
  const { api } = runtime;
  const backend = openBackend(runtime, { device: "cpu", threads });
  const g = new GraphContext(api, 64);
  const galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(backend.handle));
  try {
    const built = build(g, api);
    expect(api.ggml_gallocr_alloc_graph(galloc, g.graph)).toBe(true);
    for (const [tensor, bytes] of built.inputs) api.ggml_backend_tensor_set(tensor, bytes, 0, bytes.byteLength);
    expect(api.ggml_backend_graph_compute(backend.handle, g.graph)).toBe(0);
    const value = new Float32Array(api.ggml_nelements(built.output));
    api.ggml_backend_tensor_get(built.output, value, 0, value.byteLength);
    return { value, extra: built.extra };
  } finally {
    api.ggml_gallocr_free(galloc);
    g.dispose();
    backend.dispose();
  }
}
