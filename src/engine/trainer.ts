// One training engine for every method: a static forward+backward graph with gradient accumulators, an AdamW graph
// with global-norm clipping, and a forward-only graph for validation loss. Graphs are built and allocated once and
// reused every step (no per-step rebuild). Which tensors train and how the graph changes come from the caller.
// Shape letters as in src/arch/shape.ts: V vocabulary, T tokens per sequence, B sequences per micro-batch, N = T * B.
import { buildDecoderResidual } from "./graph/decoder.js";
import type { DecoderHooks } from "./graph/hooks.js";
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import { backendFeatures } from "../native/cpu-features.js";
import { tensorShape, type GgmlTensor, type Ptr } from "../native/ggml-bindings.js";
import { GGML_DEVICE_TYPE } from "../native/ggml-runtime.js";
import { unsupportedOps } from "./device-ops.js";
import { GpuGraphScheduler } from "./gpu-scheduler.js";
import { GraphContext, graphNodeBudget } from "./graph-context.js";
import type { TokenLossInputs } from "./loss.js";
import type { EngineModel } from "./model.js";
import { CheckpointedPass, headChunks, headRangeLoss, type PassInputs } from "./checkpointed-pass.js";
import { realTokenRows, sequencePositions } from "./positions.js";
import { lowerProducts, type ProductPassOptions } from "./product-passes.js";
import type { ProductPrecision } from "./product-precision.js";

/** A tensor that trains: F32, allocated in a backend buffer, flagged as a parameter by the Trainer. */
export interface TrainableTensor {
  name: string;
  tensor: GgmlTensor;
}

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (PyTorch AdamW's weight_decay): w <- w * (1 - lr * wd) before the Adam update. */
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  maxGradNorm: number;
}

export interface TrainerShape {
  /** Tokens per sequence T. */
  sequenceLength: number;
  /** Sequences per micro-batch B. */
  batchSize: number;
  /** Run the backward's out_prod nodes as mul_mat over transposed operands (out-prod-rewrite.ts). Default true;
   *  false keeps ggml's own out_prod (for comparison in tests and benchmarks). */
  backwardAsMulMat?: boolean;
  /** Largest weight transposed in one piece by that rewrite (default TRANSPOSE_CHUNK_BYTES); tests make it small. */
  transposeChunkBytes?: number;
  /** Keep only each block's input and recompute the block in the backward (checkpointed-pass.ts): activation memory
   *  of one block instead of all, for one more forward pass per step. Default false. */
  checkpointActivations?: boolean;
  /** Tokens per range of the head and loss (default: checkpointed-pass.ts headChunks); tests make it small. */
  headChunkTokens?: number;
  /** Operands of the matrix products (product-precision.ts): "f32" (default) or "bf16" (F32 master weights and
   *  AdamW, BF16 products). */
  precision?: ProductPrecision;
  /** Type of a frozen quantized weight's transpose in the backward (out-prod-rewrite.ts): by default Q8_0 on a CPU
   *  backend built without a BF16 dot product (AVX2), BF16 elsewhere; set to compare the two. */
  quantizedTransposes?: "bf16" | "q8_0";
}

/** One micro-batch: N = B * T tokens, each with its next-token target and loss weight. */
export interface MicroBatch {
  tokens: Int32Array; //  [N]
  targets: Int32Array; // [N]
  /** [N] mask / tokens counted in the optimizer step, so a step's accumulated loss is a mean. */
  weights: Float32Array;
}

/** A loss graph with its inputs (PassInputs: tokens, positions, the output rows of the real tokens when virtual tokens
 *  precede them, loss inputs and the head's token ranges). */
interface LossGraph extends PassInputs {
  g: GraphContext;
  galloc: Ptr;
  loss: GgmlTensor;
}

interface ParamState {
  name: string;
  tensor: GgmlTensor;
  gradAcc: GgmlTensor;
  m: GgmlTensor;
  v: GgmlTensor;
  elements: number;
}

export class Trainer {
  /** Optimizer steps taken (AdamW's t; bias correction uses it). */
  step = 0;
  private readonly params: ParamState[];
  /** The forward+backward graph, or undefined with activation checkpointing. */
  private readonly train: LossGraph | undefined;
  private readonly checkpointed: CheckpointedPass | undefined;
  private readonly optimizer: { g: GraphContext; galloc: Ptr; hyper: GgmlTensor; maxNorm: GgmlTensor | undefined; gradNorm: GgmlTensor };
  private evalGraph: LossGraph | undefined;
  private readonly staticCtx: Ptr;
  private readonly staticBuffer: Ptr;
  private readonly gradCtx: Ptr;
  /** Gradient accumulators and d loss / d loss, zeroed (and set to 1) before each step. */
  private readonly gradBuffer: Ptr;
  private readonly lossGradAcc: GgmlTensor;
  /** Set on a GPU device: every training graph goes through ggml's scheduler (unsupported ops on the CPU). */
  private readonly gpu: GpuGraphScheduler | undefined;
  /** Backward out_prod nodes turned into mul_mat over transposed operands. */
  readonly rewrittenBackwardNodes: number;
  /** How every graph's products are rewritten after autodiff (shape.precision defaulted, the backend's kernels). */
  private readonly products: ProductPassOptions;

  constructor(
    readonly model: EngineModel,
    trainable: readonly TrainableTensor[],
    readonly shape: TrainerShape,
    readonly adamw: AdamWSettings,
    private readonly hooks: DecoderHooks = {},
  ) {
    const { api } = model;
    if (trainable.length === 0) throw new ShapeError("nothing to train: the method selected no tensors");
    if (model.kernelLayoutWeights.size > model.plainCopies.size) {
      throw new ShapeError(`this model was loaded with kernel layouts (${[...new Set(model.kernelLayoutWeights.values())].join(", ")} buffers) and no plain copies, which only inference can use: load it without kernelLayouts, or with plainCopies, to train`);
    }
    const trainableSet = new Set(trainable.map((t) => t.tensor));
    for (const kernelTensor of model.plainCopies.keys()) {
      if (trainableSet.has(kernelTensor)) throw new ShapeError("a weight held in a kernel layout cannot train: load the model without kernelLayouts");
    }
    if (model.plainCopies.size > 0 && shape.backwardAsMulMat === false) throw new ShapeError("ggml's own out_prod cannot read weights held in a kernel layout: keep backwardAsMulMat on");
    const precision = shape.precision ?? "f32";
    if (precision !== "f32" && model.backend.info.type !== "cpu") {
      throw new ShapeError(`--precision ${precision} runs on the CPU backend only (this run is on ${model.backend.info.type}): train with --precision f32 or --device cpu`);
    }
    if (precision !== "f32" && shape.backwardAsMulMat === false) throw new ShapeError(`--precision ${precision} needs the backward as mul_mat (backwardAsMulMat)`);
    const cpu = api.ggml_backend_dev_type(model.backend.device) === GGML_DEVICE_TYPE.cpu;
    this.products = {
      backwardAsMulMat: shape.backwardAsMulMat !== false,
      rewrite: {
        chunkBytes: shape.transposeChunkBytes,
        plainSource: (t: GgmlTensor) => model.plainCopies.get(t) ?? t,
        halfToBf16: cpu,
        f32ToBf16: precision !== "f32",
        f32WeightsToQ8: precision === "q8",
        // Other backends have their own kernels: there the transposes stay BF16 (plan.ts refuses the option).
        quantizedTransposes: !cpu ? "bf16" : shape.quantizedTransposes ?? (backendFeatures(api, model.backend.device).includes("AVX512_BF16") ? "bf16" : "q8_0"),
      },
      precision,
      cpu,
    };
    this.gpu = model.backend.info.type === "cpu"
      ? undefined
      : new GpuGraphScheduler(api, model.backend, 2 * (Math.ceil(graphNodeBudget(model.hparams.nLayer, true) * 1.5) + trainable.length * 32) + 4096);
    for (const t of trainable) {
      if (tensorShape(t.tensor).type !== GgmlType.F32) throw new ShapeError(`trainable tensor ${t.name} must be F32`);
      api.ggml_set_param(t.tensor);
    }
    // Adam moments and gradient accumulators live in two static buffers, allocated once; the accumulators' buffer is
    // cleared at the start of every step.
    const overhead = (count: number) => ({ mem_size: (count + 8) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    this.staticCtx = api.ggml_init(overhead(trainable.length * 2));
    this.gradCtx = api.ggml_init(overhead(trainable.length + 1));
    const like = (ctx: Ptr, t: GgmlTensor, name: string) => {
      const [a, b, c, d] = tensorShape(t).ne;
      return api.ggml_set_name(api.ggml_new_tensor_4d(ctx, GgmlType.F32, a, b, c, d), name.slice(0, 63));
    };
    this.params = trainable.map(({ name, tensor }) => ({
      name,
      tensor,
      gradAcc: like(this.gradCtx, tensor, `grad ${name}`),
      m: like(this.staticCtx, tensor, `m ${name}`),
      v: like(this.staticCtx, tensor, `v ${name}`),
      elements: api.ggml_nelements(tensor),
    }));
    const lossGradAcc = api.ggml_new_tensor_4d(this.gradCtx, GgmlType.F32, 1, 1, 1, 1);
    this.lossGradAcc = lossGradAcc;
    const allocate = (ctx: Ptr) => {
      const buffer = api.ggml_backend_alloc_ctx_tensors(ctx, model.backend.handle);
      if (!buffer) throw new ShapeError("could not allocate gradient and optimizer state");
      api.ggml_backend_buffer_clear(buffer, 0);
      return buffer;
    };
    this.staticBuffer = allocate(this.staticCtx);
    this.gradBuffer = allocate(this.gradCtx);

    const byTensor = new Map(this.params.map((p) => [p.tensor, p.gradAcc]));
    if (shape.checkpointActivations) {
      this.checkpointed = new CheckpointedPass(model, hooks, {
        tokensPerSequence: shape.sequenceLength,
        sequences: shape.batchSize,
        accumulatorOf: (t) => byTensor.get(t),
        lossGradient: lossGradAcc,
        products: this.products,
        headChunkTokens: shape.headChunkTokens,
        gpu: this.gpu,
      });
      this.rewrittenBackwardNodes = this.checkpointed.rewrittenBackwardNodes;
    } else {
      const train = this.buildLossGraph(true);
      const accs = new BigUint64Array(api.ggml_graph_n_nodes(train.g.graph));
      for (let i = 0; i < accs.length; i++) {
        const node = api.ggml_graph_node(train.g.graph, i);
        accs[i] = node === train.loss ? lossGradAcc : (byTensor.get(node) ?? 0n);
      }
      api.ggml_build_backward_expand(train.g.ctx, train.g.graph, accs);
      this.rewrittenBackwardNodes = lowerProducts(train.g, this.products);
      this.train = this.allocate(train);
    }
    this.optimizer = this.buildOptimizerGraph();
  }

  /** Trainable elements in total. */
  get parameterCount(): number {
    return this.params.reduce((sum, p) => sum + p.elements, 0);
  }

  /** Zeroes the gradient accumulators (and sets d loss / d loss = 1): call before the first micro-batch of a step.
   *  What ggml_graph_reset does, done on our own buffer because the reordered graph has no gradient tables. */
  beginStep(): void {
    const { api } = this.model;
    api.ggml_backend_buffer_clear(this.gradBuffer, 0);
    api.ggml_backend_tensor_set(this.lossGradAcc, Float32Array.of(1), 0, 4);
  }

  /** Forward and backward on one micro-batch, adding its gradients; returns its weighted loss. */
  accumulate(batch: MicroBatch): number {
    if (this.checkpointed) {
      this.fillInputs(this.checkpointed.inputs, batch);
      return this.checkpointed.run();
    }
    return this.run(this.train!, batch);
  }

  /** One AdamW step with learning rate `lr` over the accumulated gradients; returns the gradient norm before clipping. */
  applyStep(lr: number): { gradNorm: number } {
    const { api } = this.model;
    this.step += 1;
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.adamw;
    // ggml's AdamW reads [alpha, beta1, beta2, eps, wd, 1/(1-beta1^t), 1/(1-beta2^t)] (ggml-opt.cpp layout).
    const hyper = Float32Array.of(lr, beta1, beta2, eps, weightDecay, 1 / (1 - beta1 ** this.step), 1 / (1 - beta2 ** this.step));
    // The scheduler allocates the graph's inputs anew each time: allocate before writing them.
    this.gpu?.allocate(this.optimizer.g);
    api.ggml_backend_tensor_set(this.optimizer.hyper, hyper, 0, hyper.byteLength);
    if (this.optimizer.maxNorm) api.ggml_backend_tensor_set(this.optimizer.maxNorm, Float32Array.of(maxGradNorm), 0, 4);
    this.compute(this.optimizer.g);
    const norm = new Float32Array(1);
    api.ggml_backend_tensor_get(this.optimizer.gradNorm, norm, 0, 4);
    return { gradNorm: norm[0]! };
  }

  /** Forward-only weighted loss of a micro-batch (validation). */
  evaluate(batch: MicroBatch): number {
    if (!this.evalGraph) {
      const graph = this.buildLossGraph(false);
      lowerProducts(graph.g, this.products); // the same function as the training loss
      this.evalGraph = this.allocate(graph);
    }
    return this.run(this.evalGraph, batch);
  }

  /** Parameter values and Adam moments, for checkpoints. */
  readState(): Array<{ name: string; value: Float32Array; m: Float32Array; v: Float32Array }> {
    const get = (t: GgmlTensor, n: number) => {
      const out = new Float32Array(n);
      this.model.api.ggml_backend_tensor_get(t, out, 0, n * 4);
      return out;
    };
    return this.params.map((p) => ({ name: p.name, value: get(p.tensor, p.elements), m: get(p.m, p.elements), v: get(p.v, p.elements) }));
  }

  /** The accumulated gradient of one trainable tensor (after accumulate, before the next beginStep). */
  readGradient(name: string): Float32Array {
    const p = this.params.find((q) => q.name === name);
    if (!p) throw new ShapeError(`${name} is not a trainable tensor`);
    const out = new Float32Array(p.elements);
    this.model.api.ggml_backend_tensor_get(p.gradAcc, out, 0, out.byteLength);
    return out;
  }

  /** Restores what readState returned (same tensors, same order) and the step counter. */
  writeState(state: ReadonlyArray<{ name: string; value: Float32Array; m: Float32Array; v: Float32Array }>, step: number): void {
    const { api } = this.model;
    for (const p of this.params) {
      const saved = state.find((s) => s.name === p.name);
      if (!saved || saved.value.length !== p.elements) throw new ShapeError(`checkpoint has no matching tensor for ${p.name}`);
      api.ggml_backend_tensor_set(p.tensor, saved.value, 0, saved.value.byteLength);
      api.ggml_backend_tensor_set(p.m, saved.m, 0, saved.m.byteLength);
      api.ggml_backend_tensor_set(p.v, saved.v, 0, saved.v.byteLength);
    }
    this.step = step;
  }

  /** Ops of the training and optimizer graphs the device cannot run (none on the CPU). */
  cpuFallbackOps(): string[] {
    const { api, backend } = this.model;
    if (backend.info.type === "cpu") return [];
    const graphs = [this.train?.g, this.optimizer.g, ...(this.checkpointed?.graphContexts() ?? [])].filter((g): g is GraphContext => g !== undefined);
    return [...new Set(graphs.flatMap((g) => unsupportedOps(api, backend.device, g.graph)))].sort();
  }

  /** Bytes of compute buffers (activations of the training graph with its transposes, optimizer, validation). */
  computeBufferBytes(): number {
    const { api } = this.model;
    return [this.train?.galloc, this.optimizer.galloc, this.evalGraph?.galloc]
      .filter((g): g is Ptr => g !== undefined && g !== 0n)
      .reduce((sum, g) => sum + api.ggml_gallocr_get_buffer_size(g, 0), (this.checkpointed?.bufferBytes() ?? 0) + (this.gpu?.bufferBytes() ?? 0));
  }

  dispose(): void {
    const { api } = this.model;
    for (const graph of [this.train, this.optimizer, this.evalGraph]) {
      if (!graph) continue;
      if (graph.galloc !== 0n) api.ggml_gallocr_free(graph.galloc);
      graph.g.dispose();
    }
    this.checkpointed?.dispose();
    this.gpu?.dispose();
    for (const buffer of [this.staticBuffer, this.gradBuffer]) api.ggml_backend_buffer_free(buffer);
    for (const ctx of [this.staticCtx, this.gradCtx]) api.ggml_free(ctx);
  }

  private buildLossGraph(backward: boolean): Omit<LossGraph, "galloc"> & { galloc: Ptr } {
    const { api, hparams } = this.model;
    const { sequenceLength: T, batchSize: B } = this.shape;
    const N = T * B;
    // Headroom over the decoder's own budget: the backward rewrite adds transposes (out-prod-rewrite.ts) and methods
    // add nodes per trainable tensor (LoRA's rank padding, scales), each with its gradient nodes.
    const g = new GraphContext(api, Math.ceil(graphNodeBudget(hparams.nLayer, backward) * 1.5) + this.params.length * 32, backward);
    // The evaluation graph computes the same function as the training graph (its loss is the training loss).
    g.differentiable = true;
    const P = this.hooks.virtualTokens?.count ?? 0;
    const tokens = g.input("tokens", GgmlType.I32, [N]);
    const positions = g.input("positions", GgmlType.I32, [(T + P) * B]);
    const outputRows = P > 0 ? g.input("output_rows", GgmlType.I32, [N]) : undefined;
    const lossInputs: TokenLossInputs = {
      targetIndex: g.input("target_index", GgmlType.I32, [N]),
      weights: g.input("token_weights", GgmlType.F32, [N]),
      epsilon: g.input("epsilon", GgmlType.F32, [1]),
    };
    const { arch, weights } = this.model;
    const inputs = { tokens, positions, tokensPerSequence: T, sequences: B };
    const L = hparams.nLayer;
    const residual = buildDecoderResidual(g, arch, hparams, weights, { ...inputs, segment: { fromLayer: 0, toLayer: L } }, this.hooks); // [E, (T+P) B]
    const real = outputRows ? api.ggml_get_rows(g.ctx, residual, outputRows) : residual; //                                     [E, N]
    // The head and loss in token ranges (checkpointed-pass.ts, headChunks): the backward then holds one range's
    // probability gradient and logit gradient at a time instead of [V, N] of each (with a 150k vocabulary, the
    // largest tensors of the step). One range for small vocabularies: the graph is the unchunked one.
    const lossChunks = headChunks(N, hparams.nVocab, this.shape.headChunkTokens);
    const rowBytes = tensorShape(real).nb[1];
    let loss: GgmlTensor | undefined;
    for (const range of lossChunks) {
      const [start, end] = range;
      const hidden = lossChunks.length === 1 ? real : api.ggml_view_2d(g.ctx, real, hparams.nEmbd, end - start, rowBytes, start * rowBytes); // [E, n]
      const part = headRangeLoss(g, this.model, this.hooks, inputs, hidden, lossInputs, range);
      loss = loss === undefined ? part : g.named(api.ggml_add(g.ctx, loss, part), "loss");
    }
    api.ggml_set_loss(loss!);
    api.ggml_set_output(loss!);
    g.expand(loss!);
    return { g, galloc: 0n, tokens, positions, outputRows, loss: loss!, lossInputs, lossChunks };
  }

  private allocate<G extends { g: GraphContext; galloc: Ptr }>(graph: G): G {
    const { api } = this.model;
    if (this.gpu) return graph; // allocated by the scheduler before each run
    graph.galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(this.model.backend.handle));
    if (!api.ggml_gallocr_alloc_graph(graph.galloc, graph.g.graph)) throw new ShapeError("ggml could not allocate the training graph");
    return graph;
  }

  private buildOptimizerGraph() {
    const { api } = this.model;
    const g = new GraphContext(api, this.params.length * 8 + 64, false);
    const hyper = g.input("adamw_params", GgmlType.F32, [7]);
    let total: GgmlTensor | undefined;
    for (const p of this.params) {
      const sq = api.ggml_sum(g.ctx, api.ggml_sqr(g.ctx, p.gradAcc));
      total = total === undefined ? sq : api.ggml_add(g.ctx, total, sq);
    }
    const gradNorm = g.named(api.ggml_sqrt(g.ctx, total!), "grad_norm");
    api.ggml_set_output(gradNorm);
    g.expand(gradNorm);
    let maxNorm: GgmlTensor | undefined;
    let scale: GgmlTensor | undefined;
    if (this.adamw.maxGradNorm > 0) {
      maxNorm = g.input("max_grad_norm", GgmlType.F32, [1]);
      // min(1, max / norm): a zero norm gives +inf, clamped to 1.
      scale = api.ggml_clamp(g.ctx, api.ggml_div(g.ctx, maxNorm, gradNorm), 0, 1);
    }
    for (const p of this.params) {
      const grad = scale ? api.ggml_mul(g.ctx, p.gradAcc, scale) : p.gradAcc;
      g.expand(api.ggml_opt_step_adamw(g.ctx, p.tensor, grad, p.m, p.v, hyper));
    }
    if (this.gpu) return { g, galloc: 0n as Ptr, hyper, maxNorm, gradNorm };
    const galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(this.model.backend.handle));
    if (!api.ggml_gallocr_alloc_graph(galloc, g.graph)) throw new ShapeError("ggml could not allocate the optimizer graph");
    return { g, galloc, hyper, maxNorm, gradNorm };
  }

  private run(graph: LossGraph, batch: MicroBatch): number {
    this.gpu?.allocate(graph.g);
    this.fillInputs(graph, batch);
    this.compute(graph.g);
    const loss = new Float32Array(1);
    this.model.api.ggml_backend_tensor_get(graph.loss, loss, 0, 4);
    return loss[0]!;
  }

  /** Checks a micro-batch and writes it to a graph's input tensors. */
  private fillInputs(inputs: PassInputs, batch: MicroBatch): void {
    const { api, hparams } = this.model;
    const { sequenceLength: T, batchSize: B } = this.shape;
    const N = T * B;
    if (batch.tokens.length !== N || batch.targets.length !== N || batch.weights.length !== N) {
      throw new ShapeError(`a micro-batch needs ${N} tokens, targets and weights (${B} x ${T}), got ${batch.tokens.length}`);
    }
    const V = hparams.nVocab;
    const targetIndex = new Int32Array(N);
    for (const [start, end] of inputs.lossChunks ?? [[0, N] as const]) {
      for (let i = start; i < end; i++) {
        const t = batch.targets[i]!;
        const tok = batch.tokens[i]!;
        if (t < 0 || t >= V || tok < 0 || tok >= V) throw new ShapeError(`token id outside the vocabulary [0, ${V}) at position ${i}`);
        // Row i of its range's [V, rows] probabilities, flattened.
        targetIndex[i] = (i - start) * V + t;
      }
    }
    const P = this.hooks.virtualTokens?.count ?? 0;
    const set = (t: GgmlTensor, data: ArrayBufferView) => api.ggml_backend_tensor_set(t, data, 0, data.byteLength);
    set(inputs.tokens, batch.tokens);
    set(inputs.positions, sequencePositions(T + P, B));
    if (inputs.outputRows) set(inputs.outputRows, realTokenRows(T, P, B));
    set(inputs.lossInputs.targetIndex, targetIndex);
    set(inputs.lossInputs.weights, batch.weights);
    set(inputs.lossInputs.epsilon, Float32Array.of(1e-30));
  }


  private compute(g: GraphContext): void {
    if (this.gpu) return this.gpu.compute(g);
    const status = this.model.api.ggml_backend_graph_compute(this.model.backend.handle, g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
  }
}
