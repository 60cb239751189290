// Training graphs on a GPU device run through ggml's scheduler, with the CPU backend last: ops the GPU backend
// lacks (Vulkan has no DIAG_MASK_ZERO, which the causal mask's backward uses) run on the CPU, and ggml copies their
// inputs and outputs across. On the CPU the Trainer keeps its own allocators (no copies).
// One scheduler per graph, allocated once and computed many times (as ggml-opt does with static graphs): a graph
// allocated a second time by a scheduler trips its split pass (GGML_ASSERT src_backend_id != -1 in ggml 0.4.0), so
// graphs are never re-allocated. The cost: each graph keeps its own compute buffer, so activation checkpointing
// saves less memory on a GPU than on the CPU, where its graphs share one buffer.
import { ShapeError } from "../errors.js";
import type { GgmlApi, GgmlSched } from "../native/ggml-bindings.js";
import type { ComputeBackend } from "../native/ggml-runtime.js";
import type { GraphContext } from "./graph-context.js";

export class GpuGraphScheduler {
  private readonly scheds = new Map<GraphContext, GgmlSched>();

  constructor(
    private readonly api: GgmlApi,
    private readonly backend: ComputeBackend,
    /** Most nodes of any graph it will run. */
    private readonly graphSize: number,
  ) {}

  /** Allocates `g`'s intermediate tensors the first time (write the graph's inputs after this, before compute). */
  allocate(g: GraphContext): void {
    if (this.scheds.has(g)) return;
    const backends = this.backend.schedulerBackends;
    const sched = this.api.ggml_backend_sched_new(backends, null, backends.length, this.graphSize, false, true);
    this.scheds.set(g, sched);
    if (!this.api.ggml_backend_sched_alloc_graph(sched, g.graph)) throw new ShapeError(`ggml's scheduler could not allocate a training graph on ${this.backend.name}`);
  }

  compute(g: GraphContext): void {
    const sched = this.scheds.get(g);
    if (!sched) throw new Error("a graph was computed before it was allocated (this is a bug)");
    const status = this.api.ggml_backend_sched_graph_compute(sched, g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute on ${this.backend.name} failed with status ${status}`);
  }

  /** Bytes of the schedulers' compute buffers on the device and on the CPU. */
  bufferBytes(): number {
    const handles = [this.backend.handle, ...(this.backend.cpuFallback ? [this.backend.cpuFallback] : [])];
    let total = 0;
    for (const sched of this.scheds.values()) for (const h of handles) total += Number(this.api.ggml_backend_sched_get_buffer_size(sched, h));
    return total;
  }

  dispose(): void {
    for (const sched of this.scheds.values()) this.api.ggml_backend_sched_free(sched);
    this.scheds.clear();
  }
}
