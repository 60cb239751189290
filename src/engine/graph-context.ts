// A ggml context for one graph build: owns the tensor metadata memory, names intermediate tensors, and frees itself.
import type { GgmlApi, GgmlContext, GgmlGraph, GgmlTensor } from "../native/ggml-bindings.js";

/** Upper bound of graph nodes for a decoder of `nLayer` layers: forward, and with `backward`, gradients and optimizer. */
export function graphNodeBudget(nLayer: number, backward: boolean): number {
  // About 40 nodes per layer forward (norms, projections, rope, attention, ffn) plus the embedding and head, up to 25
  // more for the richer blocks (gemma3's composed GELU, post-norms and window mask; phi3's fused-projection views), and
  // up to 13 more per projection from a method's hooks (LoRA: rank padding, two products, scale, add); the backward
  // pass roughly triples it and the optimizer adds a few per parameter (docs/engine-notes.md, "Graph node budget").
  const forward = 128 + 192 * nLayer;
  return backward ? forward * 6 + 1024 : forward;
}

export class GraphContext {
  readonly ctx: GgmlContext;
  private current: GgmlGraph;
  /**
   * Build activations ggml cannot differentiate (GELU, tanh) from ops it can (engine/graph/activations.ts). True for
   * graphs with gradients and for the forward of a checkpointed training pass (its values must equal the recompute);
   * false elsewhere, so inference uses ggml's own kernels and equals llama.cpp's results.
   */
  differentiable: boolean;

  constructor(
    readonly api: GgmlApi,
    readonly maxNodes: number,
    grads = false,
  ) {
    this.differentiable = grads;
    // Tensor objects only (no_alloc): the data lives in backend buffers allocated by the scheduler. Room for two
    // graphs: the one built here and the one reorder() makes.
    const memSize = maxNodes * 2 * api.ggml_tensor_overhead() + api.ggml_graph_overhead_custom(maxNodes, grads) * 2;
    this.ctx = api.ggml_init({ mem_size: memSize, mem_buffer: null, no_alloc: true });
    this.current = api.ggml_new_graph_custom(this.ctx, maxNodes, grads);
  }

  get graph(): GgmlGraph {
    return this.current;
  }

  /**
   * Replaces the graph by one holding the same nodes in the same order, with any node that was added as a new source
   * of an existing node (after the build) placed right before its first consumer. The new graph has no gradient
   * tables: callers that used ggml_graph_reset must zero accumulators themselves.
   */
  reorder(): void {
    const { api } = this;
    const rebuilt = api.ggml_new_graph_custom(this.ctx, this.maxNodes, false);
    const n = api.ggml_graph_n_nodes(this.current);
    for (let i = 0; i < n; i++) api.ggml_build_forward_expand(rebuilt, api.ggml_graph_node(this.current, i));
    this.current = rebuilt;
  }

  /** Names a tensor (names show up in ggml errors and debugging) and returns it. */
  named(tensor: GgmlTensor, name: string): GgmlTensor {
    this.api.ggml_set_name(tensor, name);
    return tensor;
  }

  /** A new input tensor of I32 or F32 values that the caller fills after allocation. */
  input(name: string, type: number, ne: readonly number[]): GgmlTensor {
    const { api, ctx } = this;
    const [a = 1, b = 1, c = 1, d = 1] = ne;
    const tensor =
      ne.length === 1 ? api.ggml_new_tensor_1d(ctx, type, a)
      : ne.length === 2 ? api.ggml_new_tensor_2d(ctx, type, a, b)
      : ne.length === 3 ? api.ggml_new_tensor_3d(ctx, type, a, b, c)
      : api.ggml_new_tensor_4d(ctx, type, a, b, c, d);
    api.ggml_set_input(tensor);
    return this.named(tensor, name);
  }

  expand(output: GgmlTensor): void {
    this.api.ggml_build_forward_expand(this.graph, output);
  }

  dispose(): void {
    this.api.ggml_free(this.ctx);
  }
}
