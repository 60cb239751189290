// Fast backward through frozen weights. ggml's autodiff writes the activation gradient of y = W x as
// out_prod(W, transpose(dY)); with an F16 or quantized W the CPU out_prod converts a row of W for every (token, row)
// pair (FINDINGS trap 15: LoRA on an F16 base ran at 1/7 of the F32 speed). A frozen W never changes, so a transposed
// copy W^T, made once, turns that node into mul_mat(W^T, dY): the tiled, vectorised path. The copy is BF16: mul_mat
// converts dY to the weight's dot-product type, and activation gradients are small (1e-6 and below once the loss is
// a mean over thousands of tokens): F16 and Q8_0 (F16 block scales) would flush them to zero, BF16 keeps F32's
// exponent range. The cost is a BF16 copy of each frozen weight (2 bytes per parameter); trainable weights are never
// rewritten.
import { GgmlType } from "../formats/gguf/index.js";
import { rewriteAsMulMat, tensorOp, tensorShape, type GgmlBuffer, type GgmlContext, type GgmlGraph, type GgmlTensor } from "../native/ggml-bindings.js";
import type { EngineModel } from "./model.js";
import { GraphContext } from "./graph-context.js";

/** ggml op ids, looked up by name so a renumbered enum cannot silently break the rewrite. */
function opIds(model: EngineModel): { mulMat: number; outProd: number; transpose: number } {
  const ids = new Map<string, number>();
  for (let i = 0; i < 256; i++) {
    const name = model.api.ggml_op_name(i);
    if (!name) break;
    ids.set(name, i);
  }
  return { mulMat: ids.get("MUL_MAT")!, outProd: ids.get("OUT_PROD")!, transpose: ids.get("TRANSPOSE")! };
}

/** Transposed copies of frozen weights, in one backend buffer. */
export class TransposedWeights {
  private ctx: GgmlContext | undefined;
  private buffer: GgmlBuffer | undefined;
  /** Bytes held by the transposed copies. */
  bytes = 0;

  constructor(private readonly model: EngineModel) {}

  /**
   * Rewrites every out_prod(W, transpose(dY)) of a frozen, non-F32 weight W in `graph` into mul_mat(W^T, dY).
   * Call after ggml_build_backward_expand and before the graph is allocated. Returns how many nodes changed.
   */
  rewrite(graph: GgmlGraph, frozen: ReadonlySet<GgmlTensor>): number {
    const { api } = this.model;
    const ops = opIds(this.model);
    const found: Array<{ node: GgmlTensor; weight: GgmlTensor; grad: GgmlTensor }> = [];
    for (let i = 0; i < api.ggml_graph_n_nodes(graph); i++) {
      const node = api.ggml_graph_node(graph, i);
      const { op, src } = tensorOp(node);
      const [weight, transposed] = src;
      if (op !== ops.outProd || !weight || !transposed || !frozen.has(weight)) continue;
      if (tensorShape(weight).type === GgmlType.F32) continue; // out_prod_f32 is already a vectorised path
      const inner = tensorOp(transposed);
      if (inner.op !== ops.transpose || !inner.src[0]) continue;
      found.push({ node, weight, grad: inner.src[0] });
    }
    if (found.length === 0) return 0;
    const copies = this.makeTransposedCopies([...new Set(found.map((f) => f.weight))]);
    for (const { node, weight, grad } of found) rewriteAsMulMat(node, ops.mulMat, copies.get(weight)!, grad);
    return found.length;
  }

  dispose(): void {
    if (this.buffer) this.model.api.ggml_backend_buffer_free(this.buffer);
    if (this.ctx) this.model.api.ggml_free(this.ctx);
  }

  /** W [in, out] -> W^T [out, in], BF16. */
  private makeTransposedCopies(weights: GgmlTensor[]): Map<GgmlTensor, GgmlTensor> {
    const { api } = this.model;
    this.ctx = api.ggml_init({ mem_size: (weights.length + 4) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    const plan = weights.map((weight) => {
      const [nIn, nOut] = tensorShape(weight).ne;
      return { weight, copy: api.ggml_new_tensor_2d(this.ctx!, GgmlType.BF16, nOut, nIn) };
    });
    const buffer = api.ggml_backend_alloc_ctx_tensors(this.ctx, this.model.backend.handle);
    if (!buffer) throw new Error("could not allocate transposed frozen weights");
    this.buffer = buffer;
    this.bytes = api.ggml_backend_buffer_get_size(buffer);
    const copies = new Map<GgmlTensor, GgmlTensor>();
    for (const { weight, copy } of plan) {
      this.transposeInto(weight, copy);
      copies.set(weight, copy);
    }
    return copies;
  }

  /**
   * copy <- transpose(W) converted to copy's type, computed by ggml on the backend: W (cast to F32 when quantized)
   * is transposed as a view and ggml_cpy writes it contiguously. Nothing passes through JavaScript memory.
   */
  private transposeInto(weight: GgmlTensor, copy: GgmlTensor): void {
    const { api } = this.model;
    const g = new GraphContext(api, 8);
    const galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(this.model.backend.handle));
    try {
      // F16 converts straight into the BF16 copy; block-quantized types go through an F32 cast first (ggml's copy
      // cannot read a transposed view of quantized blocks).
      const plain = tensorShape(weight).type === GgmlType.F16;
      const transposed = api.ggml_transpose(g.ctx, plain ? weight : api.ggml_cast(g.ctx, weight, GgmlType.F32)); // [out, in] view
      g.expand(api.ggml_cpy(g.ctx, transposed, copy));
      api.ggml_gallocr_alloc_graph(galloc, g.graph);
      api.ggml_backend_graph_compute(this.model.backend.handle, g.graph);
    } finally {
      api.ggml_gallocr_free(galloc);
      g.dispose();
    }
  }
}
