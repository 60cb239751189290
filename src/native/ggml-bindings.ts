// koffi declarations of the ggml C API used by localtune (layouts from ggml/include/*.h of node-llama-cpp 3.21.1's
// llama.cpp release). The only file that declares native functions; everything above calls the typed `GgmlApi`.
import koffi from "koffi";

/** Native pointers: koffi 3 hands them over as BigInt. Aliases document which object a pointer refers to. */
export type Ptr = bigint;
export type GgmlContext = Ptr;
export type GgmlTensor = Ptr;
export type GgmlGraph = Ptr;
export type GgmlBackend = Ptr;
export type GgmlBuffer = Ptr;
export type GgmlSched = Ptr;
export type GgmlDevice = Ptr;
export type GgmlOpt = Ptr;
type Null = null;

// struct ggml_tensor (GGML_MAX_DIMS 4, GGML_MAX_OP_PARAMS 64, GGML_MAX_SRC 10, GGML_MAX_NAME 64): mirrored exactly;
// the ABI check compares its size with ggml_tensor_overhead() and round-trips ne/nb/name.
export const ggmlTensorStruct = koffi.struct("ggml_tensor", {
  type: "int",
  buffer: "void *",
  ne: koffi.array("int64_t", 4),
  nb: koffi.array("size_t", 4),
  op: "int",
  op_params: koffi.array("int32_t", 16),
  flags: "int32_t",
  src: koffi.array("void *", 10),
  view_src: "void *",
  view_offs: "size_t",
  data: "void *",
  name: koffi.array("char", 64, "String"),
  extra: "void *",
  padding: koffi.array("char", 8),
});

/** Shape (ne, 4 entries), strides in bytes (nb) and type of a tensor, read from its struct. */
export function tensorShape(tensor: GgmlTensor): { type: number; ne: [number, number, number, number]; nb: [number, number, number, number] } {
  const decoded = koffi.decode(tensor, ggmlTensorStruct) as { type: number; ne: ArrayLike<number | bigint>; nb: ArrayLike<number | bigint> };
  const ne = Array.from(decoded.ne, Number) as [number, number, number, number];
  const nb = Array.from(decoded.nb, Number) as [number, number, number, number];
  return { type: decoded.type, ne, nb };
}

/**
 * Turns a graph node into `op` over `sources` in place, with `params` as its op parameters (raw 32-bit words, zero
 * when left out: MUL_MAT, ADD and OUT_PROD take none): the after-autodiff product passes (engine/product-passes.ts).
 * The node keeps its shape, name and buffer.
 */
export function rewriteNode(node: GgmlTensor, op: number, sources: readonly GgmlTensor[], params: readonly number[] = []): void {
  const decoded = koffi.decode(node, ggmlTensorStruct) as { op: number; src: Array<unknown>; op_params: number[] };
  decoded.op = op;
  decoded.src = [...sources, ...Array.from({ length: 10 - sources.length }, () => null)];
  decoded.op_params = [...params, ...new Array(16 - params.length).fill(0)];
  koffi.encode(node, ggmlTensorStruct, decoded);
}

/** Points a tensor at a backend buffer (or none) without allocating: how ggml asks a buffer type whether it can
 *  serve an op on that tensor (see engine/weight-buffers.ts). */
export function setTensorBuffer(tensor: GgmlTensor, buffer: GgmlBuffer | null): void {
  koffi.encode(tensor, koffi.offsetof(ggmlTensorStruct, "buffer"), "void *", buffer);
}

/** Operation and sources of a graph node. */
export function tensorOp(node: GgmlTensor): { op: number; src: Array<GgmlTensor | null> } {
  const decoded = koffi.decode(node, ggmlTensorStruct) as { op: number; src: Array<bigint | null> };
  return { op: decoded.op, src: Array.from(decoded.src, (s) => (s ? BigInt(s as bigint) : null)) };
}

/** Bytes of ggml's `struct ggml_object` header that precedes each tensor in a context (tensor_overhead = it + tensor). */
export const GGML_OBJECT_SIZE = 32;

koffi.struct("ggml_init_params", { mem_size: "size_t", mem_buffer: "void *", no_alloc: "bool" });
const adamw = koffi.struct("ggml_opt_adamw_params", { alpha: "float", beta1: "float", beta2: "float", eps: "float", wd: "float" });
const sgd = koffi.struct("ggml_opt_sgd_params", { alpha: "float", wd: "float" });
export const ggmlOptOptimizerParamsStruct = koffi.struct("ggml_opt_optimizer_params", { adamw, sgd });
export const ggmlOptParamsCallback = koffi.proto("ggml_opt_optimizer_params ggml_opt_get_optimizer_params(void *userdata)");
koffi.struct("ggml_opt_params", {
  backend_sched: "void *",
  ctx_compute: "void *",
  inputs: "void *",
  outputs: "void *",
  loss_type: "int",
  build_type: "int",
  opt_period: "int32_t",
  get_opt_pars: koffi.pointer(ggmlOptParamsCallback),
  get_opt_pars_ud: "void *",
  optimizer: "int",
});
export const ggmlSetThreadsProto = koffi.proto("void ggml_backend_set_n_threads_t(void *backend, int n_threads)");
/** The CPU device's extra buffer types (AMX, repacked layouts): a NULL-terminated array, from the registry's proc address. */
export const ggmlGetExtraBuftsProto = koffi.proto("void *ggml_backend_dev_get_extra_bufts_t(void *device)");

export interface GgmlInitParams {
  mem_size: number;
  mem_buffer: Null;
  no_alloc: boolean;
}

export interface AdamWParams {
  alpha: number;
  beta1: number;
  beta2: number;
  eps: number;
  wd: number;
}
export interface OptimizerParams {
  adamw: AdamWParams;
  sgd: { alpha: number; wd: number };
}
export interface GgmlOptParams {
  backend_sched: GgmlSched;
  ctx_compute: GgmlContext | Null;
  inputs: GgmlTensor | Null;
  outputs: GgmlTensor | Null;
  loss_type: number;
  build_type: number;
  opt_period: number;
  get_opt_pars: unknown;
  get_opt_pars_ud: Ptr | Null;
  optimizer: number;
}

type T = GgmlTensor;
type C = GgmlContext;
type HostArray = ArrayBufferView;

/** Typed view of the ggml functions localtune calls. */
export interface GgmlApi {
  // contexts and tensors
  ggml_init(params: GgmlInitParams): C;
  ggml_free(ctx: C): void;
  ggml_tensor_overhead(): number;
  ggml_graph_overhead_custom(size: number, grads: boolean): number;
  ggml_new_tensor_1d(ctx: C, type: number, ne0: number): T;
  ggml_new_tensor_2d(ctx: C, type: number, ne0: number, ne1: number): T;
  ggml_new_tensor_3d(ctx: C, type: number, ne0: number, ne1: number, ne2: number): T;
  ggml_new_tensor_4d(ctx: C, type: number, ne0: number, ne1: number, ne2: number, ne3: number): T;
  ggml_set_name(t: T, name: string): T;
  ggml_get_name(t: T): string;
  ggml_get_tensor(ctx: C, name: string): T | Null;
  ggml_set_input(t: T): void;
  ggml_set_output(t: T): void;
  ggml_set_param(t: T): void;
  ggml_set_loss(t: T): void;
  ggml_nbytes(t: T): number;
  ggml_nelements(t: T): number;
  ggml_is_contiguous(t: T): boolean;
  ggml_type_size(type: number): number;
  ggml_blck_size(type: number): number;
  ggml_type_name(type: number): string;
  ggml_version(): string;
  ggml_op_name(op: number): string;
  ggml_quantize_chunk(type: number, src: Float32Array, dst: HostArray, start: number, nrows: number, nPerRow: number, imatrix: Null): number;
  // operations
  ggml_dup(ctx: C, a: T): T;
  ggml_add(ctx: C, a: T, b: T): T;
  ggml_sub(ctx: C, a: T, b: T): T;
  ggml_mul(ctx: C, a: T, b: T): T;
  ggml_div(ctx: C, a: T, b: T): T;
  ggml_scale(ctx: C, a: T, s: number): T;
  ggml_sqr(ctx: C, a: T): T;
  ggml_sqrt(ctx: C, a: T): T;
  ggml_log(ctx: C, a: T): T;
  ggml_exp(ctx: C, a: T): T;
  ggml_neg(ctx: C, a: T): T;
  ggml_abs(ctx: C, a: T): T;
  ggml_sum(ctx: C, a: T): T;
  ggml_sum_rows(ctx: C, a: T): T;
  ggml_mean(ctx: C, a: T): T;
  ggml_silu(ctx: C, a: T): T;
  /** silu(a) * b in one op; its backward recomputes silu(a) instead of keeping it. */
  ggml_swiglu_split(ctx: C, a: T, b: T): T;
  ggml_gelu(ctx: C, a: T): T;
  ggml_tanh(ctx: C, a: T): T;
  ggml_sigmoid(ctx: C, a: T): T;
  ggml_softplus(ctx: C, a: T): T;
  ggml_flash_attn_ext(ctx: C, q: T, k: T, v: T, mask: T | Null, scale: number, maxBias: number, logitSoftcap: number): T;
  ggml_step(ctx: C, a: T): T;
  ggml_arange(ctx: C, start: number, stop: number, step: number): T;
  ggml_scale_bias(ctx: C, a: T, s: number, b: number): T;
  ggml_rms_norm(ctx: C, a: T, eps: number): T;
  ggml_mul_mat(ctx: C, a: T, b: T): T;
  ggml_out_prod(ctx: C, a: T, b: T): T;
  ggml_get_rows(ctx: C, a: T, rows: T): T;
  ggml_repeat(ctx: C, a: T, like: T): T;
  ggml_acc(ctx: C, a: T, b: T, nb1: number, nb2: number, nb3: number, offset: number): T;
  ggml_concat(ctx: C, a: T, b: T, dim: number): T;
  ggml_cpy(ctx: C, a: T, b: T): T;
  ggml_set_rows(ctx: C, a: T, b: T, rows: T): T;
  ggml_cast(ctx: C, a: T, type: number): T;
  ggml_cont(ctx: C, a: T): T;
  ggml_reshape_1d(ctx: C, a: T, ne0: number): T;
  ggml_reshape_2d(ctx: C, a: T, ne0: number, ne1: number): T;
  ggml_reshape_3d(ctx: C, a: T, ne0: number, ne1: number, ne2: number): T;
  ggml_reshape_4d(ctx: C, a: T, ne0: number, ne1: number, ne2: number, ne3: number): T;
  ggml_view_1d(ctx: C, a: T, ne0: number, offset: number): T;
  ggml_view_2d(ctx: C, a: T, ne0: number, ne1: number, nb1: number, offset: number): T;
  ggml_view_3d(ctx: C, a: T, ne0: number, ne1: number, ne2: number, nb1: number, nb2: number, offset: number): T;
  ggml_permute(ctx: C, a: T, ax0: number, ax1: number, ax2: number, ax3: number): T;
  ggml_transpose(ctx: C, a: T): T;
  ggml_diag_mask_inf(ctx: C, a: T, nPast: number): T;
  ggml_soft_max_ext(ctx: C, a: T, mask: T | Null, scale: number, maxBias: number): T;
  ggml_rope_ext(
    ctx: C, a: T, pos: T, freqFactors: T | Null, nDims: number, mode: number, nCtxOrig: number,
    freqBase: number, freqScale: number, extFactor: number, attnFactor: number, betaFast: number, betaSlow: number,
  ): T;
  ggml_cross_entropy_loss(ctx: C, logits: T, labels: T): T;
  ggml_opt_step_adamw(ctx: C, a: T, grad: T, m: T, v: T, params: T): T;
  // graphs
  ggml_new_graph_custom(ctx: C, size: number, grads: boolean): GgmlGraph;
  ggml_build_forward_expand(graph: GgmlGraph, t: T): void;
  ggml_build_backward_expand(ctx: C, graph: GgmlGraph, gradAccs: Null | BigUint64Array): void;
  ggml_graph_n_nodes(graph: GgmlGraph): number;
  ggml_graph_node(graph: GgmlGraph, i: number): T;
  ggml_graph_get_grad(graph: GgmlGraph, t: T): T | Null;
  ggml_graph_get_grad_acc(graph: GgmlGraph, t: T): T | Null;
  ggml_graph_reset(graph: GgmlGraph): void;
  ggml_clamp(ctx: C, a: T, min: number, max: number): T;
  ggml_gallocr_new(buft: Ptr): Ptr;
  ggml_gallocr_free(galloc: Ptr): void;
  ggml_gallocr_alloc_graph(galloc: Ptr, graph: GgmlGraph): boolean;
  ggml_gallocr_reserve(galloc: Ptr, graph: GgmlGraph): boolean;
  ggml_gallocr_get_buffer_size(galloc: Ptr, bufferId: number): number;
  ggml_backend_get_default_buffer_type(backend: GgmlBackend): Ptr;
  // backends and buffers
  ggml_backend_alloc_ctx_tensors(ctx: C, backend: GgmlBackend): GgmlBuffer | Null;
  ggml_backend_alloc_ctx_tensors_from_buft(ctx: C, buft: Ptr): GgmlBuffer | Null;
  ggml_backend_buft_alloc_buffer(buft: Ptr, size: number): GgmlBuffer | Null;
  ggml_backend_buft_name(buft: Ptr): string;
  ggml_backend_dev_supports_op(dev: GgmlDevice, op: T): boolean;
  ggml_backend_buffer_free(buffer: GgmlBuffer): void;
  ggml_backend_buffer_get_size(buffer: GgmlBuffer): number;
  ggml_backend_buffer_set_usage(buffer: GgmlBuffer, usage: number): void;
  ggml_backend_buffer_clear(buffer: GgmlBuffer, value: number): void;
  ggml_backend_tensor_set(t: T, data: HostArray, offset: number, size: number): void;
  ggml_backend_tensor_get(t: T, data: HostArray, offset: number, size: number): void;
  ggml_backend_tensor_memset(t: T, value: number, offset: number, size: number): void;
  ggml_backend_free(backend: GgmlBackend): void;
  ggml_backend_name(backend: GgmlBackend): string;
  ggml_backend_get_device(backend: GgmlBackend): GgmlDevice;
  ggml_backend_graph_compute(backend: GgmlBackend, graph: GgmlGraph): number;
  ggml_backend_dev_name(dev: GgmlDevice): string;
  ggml_backend_dev_memory(dev: GgmlDevice, free: [number], total: [number]): void;
  ggml_backend_sched_get_tensor_backend(sched: GgmlSched, node: T): GgmlBackend | Null;
  ggml_backend_sched_get_n_splits(sched: GgmlSched): number;
  ggml_backend_sched_get_buffer_size(sched: GgmlSched, backend: GgmlBackend): number;
  ggml_backend_dev_description(dev: GgmlDevice): string;
  ggml_backend_dev_type(dev: GgmlDevice): number;
  ggml_backend_dev_backend_reg(dev: GgmlDevice): Ptr;
  ggml_backend_dev_init(dev: GgmlDevice, params: string | Null): GgmlBackend | Null;
  ggml_backend_reg_get_proc_address(reg: Ptr, name: string): Ptr | Null;
  ggml_backend_sched_new(backends: BigUint64Array, bufts: Null, n: number, graphSize: number, parallel: boolean, opOffload: boolean): GgmlSched;
  ggml_backend_sched_free(sched: GgmlSched): void;
  ggml_backend_sched_reset(sched: GgmlSched): void;
  ggml_backend_sched_alloc_graph(sched: GgmlSched, graph: GgmlGraph): boolean;
  ggml_backend_sched_graph_compute(sched: GgmlSched, graph: GgmlGraph): number;
  // registry (libggml)
  ggml_backend_load_all_from_path(dir: string): void;
  ggml_backend_load(path: string): Ptr | Null;
  ggml_backend_reg_dev_count(reg: Ptr): number;
  ggml_backend_reg_dev_get(reg: Ptr, index: number): GgmlDevice;
  ggml_backend_reg_count(): number;
  ggml_backend_reg_get(i: number): Ptr;
  ggml_backend_reg_name(reg: Ptr): string;
  ggml_backend_dev_count(): number;
  ggml_backend_dev_get(i: number): GgmlDevice;
  // optimizer (ggml-opt)
  ggml_opt_default_params(sched: GgmlSched, lossType: number): GgmlOptParams;
  ggml_opt_init(params: GgmlOptParams): GgmlOpt;
  ggml_opt_free(opt: GgmlOpt): void;
  ggml_opt_reset(opt: GgmlOpt, optimizer: boolean): void;
  ggml_opt_prepare_alloc(opt: GgmlOpt, ctx: C, graph: GgmlGraph, inputs: T, outputs: T): void;
  ggml_opt_alloc(opt: GgmlOpt, backward: boolean): void;
  ggml_opt_eval(opt: GgmlOpt, result: Ptr): void;
  ggml_opt_inputs(opt: GgmlOpt): T;
  ggml_opt_outputs(opt: GgmlOpt): T;
  ggml_opt_labels(opt: GgmlOpt): T;
  ggml_opt_loss(opt: GgmlOpt): T;
  ggml_opt_grad_acc(opt: GgmlOpt, node: T): T | Null;
  ggml_opt_result_init(): Ptr;
  ggml_opt_result_free(result: Ptr): void;
  ggml_opt_result_reset(result: Ptr): void;
  ggml_opt_result_loss(result: Ptr, loss: number[], unc: number[]): void;
}

// C prototypes, in the library that exports them. `ggml_tensor *` etc. are declared as `void *` (BigInt in JS).
const BASE_PROTOTYPES = [
  "void *ggml_init(ggml_init_params params)",
  "void ggml_free(void *ctx)",
  "size_t ggml_tensor_overhead()",
  "size_t ggml_graph_overhead_custom(size_t size, bool grads)",
  "void *ggml_new_tensor_1d(void *ctx, int type, int64_t ne0)",
  "void *ggml_new_tensor_2d(void *ctx, int type, int64_t ne0, int64_t ne1)",
  "void *ggml_new_tensor_3d(void *ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2)",
  "void *ggml_new_tensor_4d(void *ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)",
  "void *ggml_set_name(void *t, const char *name)",
  "const char *ggml_get_name(void *t)",
  "void *ggml_get_tensor(void *ctx, const char *name)",
  "void ggml_set_input(void *t)",
  "void ggml_set_output(void *t)",
  "void ggml_set_param(void *t)",
  "void ggml_set_loss(void *t)",
  "size_t ggml_nbytes(void *t)",
  "int64_t ggml_nelements(void *t)",
  "bool ggml_is_contiguous(void *t)",
  "size_t ggml_type_size(int type)",
  "int64_t ggml_blck_size(int type)",
  "const char *ggml_type_name(int type)",
  "const char *ggml_version()",
  "const char *ggml_op_name(int op)",
  "size_t ggml_quantize_chunk(int type, const float *src, void *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)",
  "void *ggml_dup(void *ctx, void *a)",
  "void *ggml_add(void *ctx, void *a, void *b)",
  "void *ggml_sub(void *ctx, void *a, void *b)",
  "void *ggml_mul(void *ctx, void *a, void *b)",
  "void *ggml_div(void *ctx, void *a, void *b)",
  "void *ggml_scale(void *ctx, void *a, float s)",
  "void *ggml_sqr(void *ctx, void *a)",
  "void *ggml_sqrt(void *ctx, void *a)",
  "void *ggml_log(void *ctx, void *a)",
  "void *ggml_exp(void *ctx, void *a)",
  "void *ggml_neg(void *ctx, void *a)",
  "void *ggml_abs(void *ctx, void *a)",
  "void *ggml_sum(void *ctx, void *a)",
  "void *ggml_sum_rows(void *ctx, void *a)",
  "void *ggml_mean(void *ctx, void *a)",
  "void *ggml_silu(void *ctx, void *a)",
  "void *ggml_swiglu_split(void *ctx, void *a, void *b)",
  "void *ggml_gelu(void *ctx, void *a)",
  "void *ggml_tanh(void *ctx, void *a)",
  "void *ggml_sigmoid(void *ctx, void *a)",
  "void *ggml_softplus(void *ctx, void *a)",
  "void *ggml_flash_attn_ext(void *ctx, void *q, void *k, void *v, void *mask, float scale, float max_bias, float logit_softcap)",
  "void *ggml_step(void *ctx, void *a)",
  "void *ggml_arange(void *ctx, float start, float stop, float step)",
  "void *ggml_scale_bias(void *ctx, void *a, float s, float b)",
  "void *ggml_rms_norm(void *ctx, void *a, float eps)",
  "void *ggml_mul_mat(void *ctx, void *a, void *b)",
  "void *ggml_out_prod(void *ctx, void *a, void *b)",
  "void *ggml_get_rows(void *ctx, void *a, void *b)",
  "void *ggml_repeat(void *ctx, void *a, void *b)",
  "void *ggml_acc(void *ctx, void *a, void *b, size_t nb1, size_t nb2, size_t nb3, size_t offset)",
  "void *ggml_concat(void *ctx, void *a, void *b, int dim)",
  "void *ggml_cpy(void *ctx, void *a, void *b)",
  "void *ggml_set_rows(void *ctx, void *a, void *b, void *c)",
  "void *ggml_cast(void *ctx, void *a, int type)",
  "void *ggml_cont(void *ctx, void *a)",
  "void *ggml_reshape_1d(void *ctx, void *a, int64_t ne0)",
  "void *ggml_reshape_2d(void *ctx, void *a, int64_t ne0, int64_t ne1)",
  "void *ggml_reshape_3d(void *ctx, void *a, int64_t ne0, int64_t ne1, int64_t ne2)",
  "void *ggml_reshape_4d(void *ctx, void *a, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3)",
  "void *ggml_view_1d(void *ctx, void *a, int64_t ne0, size_t offset)",
  "void *ggml_view_2d(void *ctx, void *a, int64_t ne0, int64_t ne1, size_t nb1, size_t offset)",
  "void *ggml_view_3d(void *ctx, void *a, int64_t ne0, int64_t ne1, int64_t ne2, size_t nb1, size_t nb2, size_t offset)",
  "void *ggml_permute(void *ctx, void *a, int ax0, int ax1, int ax2, int ax3)",
  "void *ggml_transpose(void *ctx, void *a)",
  "void *ggml_diag_mask_inf(void *ctx, void *a, int n_past)",
  "void *ggml_soft_max_ext(void *ctx, void *a, void *mask, float scale, float max_bias)",
  "void *ggml_rope_ext(void *ctx, void *a, void *b, void *c, int n_dims, int mode, int n_ctx_orig, float freq_base, float freq_scale, float ext_factor, float attn_factor, float beta_fast, float beta_slow)",
  "void *ggml_cross_entropy_loss(void *ctx, void *a, void *b)",
  "void *ggml_opt_step_adamw(void *ctx, void *a, void *grad, void *m, void *v, void *params)",
  "void *ggml_new_graph_custom(void *ctx, size_t size, bool grads)",
  "void ggml_build_forward_expand(void *graph, void *t)",
  "void ggml_build_backward_expand(void *ctx, void *graph, void *grad_accs)",
  "int ggml_graph_n_nodes(void *graph)",
  "void *ggml_graph_node(void *graph, int i)",
  "void *ggml_graph_get_grad(void *graph, void *t)",
  "void *ggml_graph_get_grad_acc(void *graph, void *t)",
  "void ggml_graph_reset(void *graph)",
  "void *ggml_clamp(void *ctx, void *a, float min, float max)",
  "void *ggml_gallocr_new(void *buft)",
  "void ggml_gallocr_free(void *galloc)",
  "bool ggml_gallocr_alloc_graph(void *galloc, void *graph)",
  "bool ggml_gallocr_reserve(void *galloc, void *graph)",
  "size_t ggml_gallocr_get_buffer_size(void *galloc, int buffer_id)",
  "void *ggml_backend_get_default_buffer_type(void *backend)",
  "void *ggml_backend_alloc_ctx_tensors(void *ctx, void *backend)",
  "void *ggml_backend_alloc_ctx_tensors_from_buft(void *ctx, void *buft)",
  "void *ggml_backend_buft_alloc_buffer(void *buft, size_t size)",
  "const char *ggml_backend_buft_name(void *buft)",
  "bool ggml_backend_dev_supports_op(void *dev, void *op)",
  "void ggml_backend_buffer_free(void *buffer)",
  "size_t ggml_backend_buffer_get_size(void *buffer)",
  "void ggml_backend_buffer_set_usage(void *buffer, int usage)",
  "void ggml_backend_buffer_clear(void *buffer, uint8_t value)",
  "void ggml_backend_tensor_set(void *t, const void *data, size_t offset, size_t size)",
  "void ggml_backend_tensor_get(void *t, void *data, size_t offset, size_t size)",
  "void ggml_backend_tensor_memset(void *t, uint8_t value, size_t offset, size_t size)",
  "void ggml_backend_free(void *backend)",
  "const char *ggml_backend_name(void *backend)",
  "void *ggml_backend_get_device(void *backend)",
  "int ggml_backend_graph_compute(void *backend, void *graph)",
  "const char *ggml_backend_dev_name(void *dev)",
  "void ggml_backend_dev_memory(void *dev, _Out_ size_t *free, _Out_ size_t *total)",
  "void *ggml_backend_sched_get_tensor_backend(void *sched, void *node)",
  "int ggml_backend_sched_get_n_splits(void *sched)",
  "size_t ggml_backend_sched_get_buffer_size(void *sched, void *backend)",
  "const char *ggml_backend_dev_description(void *dev)",
  "int ggml_backend_dev_type(void *dev)",
  "void *ggml_backend_dev_backend_reg(void *dev)",
  "void *ggml_backend_dev_init(void *dev, const char *params)",
  "void *ggml_backend_reg_get_proc_address(void *reg, const char *name)",
  "void *ggml_backend_sched_new(void *backends, void *bufts, int n_backends, size_t graph_size, bool parallel, bool op_offload)",
  "void ggml_backend_sched_free(void *sched)",
  "void ggml_backend_sched_reset(void *sched)",
  "bool ggml_backend_sched_alloc_graph(void *sched, void *graph)",
  "int ggml_backend_sched_graph_compute(void *sched, void *graph)",
  "ggml_opt_params ggml_opt_default_params(void *sched, int loss_type)",
  "void *ggml_opt_init(ggml_opt_params params)",
  "void ggml_opt_free(void *opt)",
  "void ggml_opt_reset(void *opt, bool optimizer)",
  "void ggml_opt_prepare_alloc(void *opt, void *ctx, void *graph, void *inputs, void *outputs)",
  "void ggml_opt_alloc(void *opt, bool backward)",
  "void ggml_opt_eval(void *opt, void *result)",
  "void *ggml_opt_inputs(void *opt)",
  "void *ggml_opt_outputs(void *opt)",
  "void *ggml_opt_labels(void *opt)",
  "void *ggml_opt_loss(void *opt)",
  "void *ggml_opt_grad_acc(void *opt, void *node)",
  "void *ggml_opt_result_init()",
  "void ggml_opt_result_free(void *result)",
  "void ggml_opt_result_reset(void *result)",
  "void ggml_opt_result_loss(void *result, _Out_ double *loss, _Out_ double *unc)",
];

const REGISTRY_PROTOTYPES = [
  "void ggml_backend_load_all_from_path(const char *dir)",
  "void *ggml_backend_load(const char *path)",
  "size_t ggml_backend_reg_dev_count(void *reg)",
  "void *ggml_backend_reg_dev_get(void *reg, size_t index)",
  "size_t ggml_backend_reg_count()",
  "void *ggml_backend_reg_get(size_t i)",
  "const char *ggml_backend_reg_name(void *reg)",
  "size_t ggml_backend_dev_count()",
  "void *ggml_backend_dev_get(size_t i)",
];

/** Declares every function of GgmlApi against the two loaded libraries. */
export function bindGgml(baseLibraryPath: string, registryLibraryPath: string): GgmlApi {
  const base = koffi.load(baseLibraryPath);
  const registry = koffi.load(registryLibraryPath);
  const api: Record<string, unknown> = {};
  for (const prototype of BASE_PROTOTYPES) declare(api, base, prototype);
  for (const prototype of REGISTRY_PROTOTYPES) declare(api, registry, prototype);
  return api as unknown as GgmlApi;
}

function declare(api: Record<string, unknown>, library: ReturnType<typeof koffi.load>, prototype: string): void {
  const name = /(\w+)\(/.exec(prototype)?.[1];
  if (!name) throw new Error(`bad prototype: ${prototype}`);
  api[name] = library.func(prototype);
}
