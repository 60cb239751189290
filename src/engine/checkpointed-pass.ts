// Activation checkpointing: the training pass as a chain of small graphs instead of one, so only one block's
// activations are alive at a time. Backpropagation through one graph keeps every block's activations until the
// backward reaches it (B*T * 13-35k floats per block for 0.1B-1B models: gigabytes at ctx 512). Here:
//   forward:  embeddings and every block, keeping only the residual stream entering each block (checkpoint h_l;
//             h_0 only when something before block 0 trains, else block 0 recomputes the embeddings);
//   head:     h_L -> norm, logits, loss, one graph per range of tokens (a large vocabulary's logits, probabilities
//             and their gradient are the biggest tensors of a step); backward gives dh_L and the head's gradients;
//   block l:  h_l -> block l again (recomputed), "loss" sum(out * dh_{l+1}), whose gradient w.r.t. out is dh_{l+1};
//             backward gives dh_l and block l's parameter gradients (for l = L-1 down to 0);
//   embed:    only when something there trains (embeddings, virtual tokens): sum(h_0 * dh_0).
// Gradients add into the Trainer's accumulators across graphs (shared parameters, tied embeddings, prefix MLPs work
// unchanged); dh_l lives in two buffers used in turn. One allocator serves every graph, so the compute memory is the
// largest graph's, not their sum. The price is one more forward pass per step (about a third more compute for full
// training, half for frozen bases).
// Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost", checkpoint every layer.
// Shape letters as in src/arch/shape.ts (E, L, B, N = T * B), T counting the virtual tokens too.
import { buildDecoder, buildDecoderResidual, type DecoderInputs } from "./graph/decoder.js";
import type { DecoderHooks } from "./graph/hooks.js";
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import { tensorOp, type GgmlTensor, type Ptr } from "../native/ggml-bindings.js";
import { GraphContext, graphNodeBudget } from "./graph-context.js";
import { buildTokenLoss, type TokenLossInputs } from "./loss.js";
import type { EngineModel } from "./model.js";
import { lowerProducts, type ProductPassOptions } from "./product-passes.js";
import { realTokenRows } from "./positions.js";
import type { GpuGraphScheduler } from "./gpu-scheduler.js";

/** The pass's inputs, in a persistent buffer every graph reads; the Trainer fills them before run(). */
export interface PassInputs {
  tokens: GgmlTensor; //              I32 [N_real]
  positions: GgmlTensor; //           I32 [N]
  outputRows: GgmlTensor | undefined; // I32 [N_real], with virtual tokens
  lossInputs: TokenLossInputs;
  /** Real-token ranges [start, end) whose logits are computed together: a target index counts rows from its range's
   *  start (TokenLossInputs.targetIndex). One range when absent. */
  lossChunks?: ReadonlyArray<readonly [number, number]>;
}

/** Logits of one head graph at most (F32 [V, tokens]), but never fewer than HEAD_MIN_TOKENS tokens: each head graph
 *  transposes the head weight for its input gradient, a cost that needs enough tokens to be amortised. */
export const HEAD_LOGITS_BYTES = 8 * 2 ** 20;
export const HEAD_MIN_TOKENS = 256;

/** Tokens per head graph for a vocabulary of `vocab` (HEAD_LOGITS_BYTES of logits, at least HEAD_MIN_TOKENS). */
export function headRangeTokens(vocab: number): number {
  return Math.max(HEAD_MIN_TOKENS, Math.floor(HEAD_LOGITS_BYTES / (4 * vocab)));
}

/** Contiguous token ranges for the head graphs, of `size` tokens (default headRangeTokens). */
export function headChunks(realTokens: number, vocab: number, size = headRangeTokens(vocab)): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let start = 0; start < realTokens; start += size) chunks.push([start, Math.min(realTokens, start + size)]);
  return chunks;
}

/**
 * The head and loss over real tokens [start, end) of a micro-batch, on `hidden` [E, end - start] (those tokens'
 * residual stream after the last block): output norm, logits and the weighted cross-entropy of the range, with the
 * range's slices of the loss inputs (targetIndex counts rows from `start`, see PassInputs.lossChunks).
 */
export function headRangeLoss(g: GraphContext, model: EngineModel, hooks: DecoderHooks, decoderInputs: DecoderInputs, hidden: GgmlTensor, lossInputs: TokenLossInputs, [start, end]: readonly [number, number]): GgmlTensor {
  const { api, ctx } = g;
  const { hparams } = model;
  const L = hparams.nLayer;
  const slice = (t: GgmlTensor) => api.ggml_view_1d(ctx, t, end - start, 4 * start);
  const { logits } = buildDecoder(g, model.arch, hparams, model.weights, { ...decoderInputs, outputRows: undefined, segment: { hiddenIn: hidden, fromLayer: L, toLayer: L } }, hooks); // [V, n]
  return buildTokenLoss(g, logits, hparams.nVocab, end - start, { targetIndex: slice(lossInputs.targetIndex), weights: slice(lossInputs.weights), epsilon: lossInputs.epsilon });
}

export interface CheckpointedPassOptions {
  tokensPerSequence: number;
  sequences: number;
  /** The Trainer's gradient accumulator of a trainable tensor, undefined for frozen ones. */
  accumulatorOf(tensor: GgmlTensor): GgmlTensor | undefined;
  /** d loss / d loss: a scalar the Trainer keeps at 1. */
  lossGradient: GgmlTensor;
  /** How the products are rewritten after autodiff (product-passes.ts), in the forward and every recompute alike. */
  products: ProductPassOptions;
  /** Tokens per head graph (default: see headChunks); tests make it small. */
  headChunkTokens?: number;
  /** On a GPU device: the scheduler that allocates and runs each graph (the CPU allocator otherwise). */
  gpu?: GpuGraphScheduler | undefined;
}

export class CheckpointedPass {
  readonly inputs: PassInputs;
  private readonly stateCtx: Ptr;
  private readonly stateBuffer: Ptr;
  private readonly gradCtx: Ptr;
  /** dh_l in two buffers used in turn (block l reads dh_{l+1} and writes dh_l); each is cleared before it is
   *  written, so the gradients of the residual stream cost two [E, N] tensors, not L + 1. */
  private readonly gradBuffer: Ptr;
  /** The gradient buffer each graph accumulates into, to clear before it runs (absent: nothing to clear). */
  private readonly clearBefore = new Map<GraphContext, GgmlTensor>();
  private readonly galloc: Ptr;
  /** In compute order: forward, head, blocks L-1..0, embeddings (when they train). */
  private readonly graphs: GraphContext[] = [];
  private readonly reservedBytes: number;
  /** The head graphs (one per token range) and their loss tensors. */
  private readonly heads = new Map<GraphContext, GgmlTensor>();
  /** Backward out_prod nodes rewritten as mul_mat, over all graphs. */
  rewrittenBackwardNodes = 0;

  constructor(
    private readonly model: EngineModel,
    private readonly hooks: DecoderHooks,
    private readonly options: CheckpointedPassOptions,
  ) {
    const { api, hparams } = model;
    const L = hparams.nLayer;
    const E = hparams.nEmbd;
    const B = options.sequences;
    const P = hooks.virtualTokens?.count ?? 0;
    const realTokens = options.tokensPerSequence * B;
    const N = (options.tokensPerSequence + P) * B;

    const overhead = (count: number) => ({ mem_size: (count + 8) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    this.stateCtx = api.ggml_init(overhead(L + 9));
    this.gradCtx = api.ggml_init(overhead(2));
    const vector = (ctx: Ptr, type: number, n: number, name: string) => api.ggml_set_name(api.ggml_new_tensor_1d(ctx, type, n), name);
    this.inputs = {
      tokens: vector(this.stateCtx, GgmlType.I32, realTokens, "tokens"),
      positions: vector(this.stateCtx, GgmlType.I32, N, "positions"),
      outputRows: P > 0 ? vector(this.stateCtx, GgmlType.I32, realTokens, "output_rows") : undefined,
      lossChunks: headChunks(realTokens, hparams.nVocab, options.headChunkTokens),
      lossInputs: {
        targetIndex: vector(this.stateCtx, GgmlType.I32, realTokens, "target_index"),
        weights: vector(this.stateCtx, GgmlType.F32, realTokens, "token_weights"),
        epsilon: vector(this.stateCtx, GgmlType.F32, 1, "epsilon"),
      },
    };
    const decoderInputs = { tokens: this.inputs.tokens, positions: this.inputs.positions, outputRows: this.inputs.outputRows, tokensPerSequence: options.tokensPerSequence, sequences: B };
    // Whether anything before block 0 trains decides whether h_0 is kept (and dh_0 computed) or block 0's graph
    // recomputes the embeddings from the tokens.
    const probe = new GraphContext(api, graphNodeBudget(0, false) + 64, false);
    probe.expand(buildDecoderResidual(probe, model.arch, hparams, model.weights, { ...decoderInputs, segment: { fromLayer: 0, toLayer: 0 } }, hooks));
    const embeddingsTrain = this.graphTouchesTrainable(probe);
    probe.dispose();

    const residual = (ctx: Ptr, name: string) => api.ggml_set_name(api.ggml_new_tensor_2d(ctx, GgmlType.F32, E, N), name);
    const checkpoints = Array.from({ length: L + 1 }, (_, l) => (l > 0 || embeddingsTrain ? residual(this.stateCtx, `h_${l}`) : undefined)); // [E, N] each
    const pingPong = [residual(this.gradCtx, "dh_even"), residual(this.gradCtx, "dh_odd")]; //       [E, N] each
    const gradientOf = (l: number) => pingPong[l % 2]!;
    const allocate = (ctx: Ptr) => {
      const buffer = api.ggml_backend_alloc_ctx_tensors(ctx, model.backend.handle);
      if (!buffer) throw new ShapeError("could not allocate the activation checkpoints");
      api.ggml_backend_buffer_clear(buffer, 0);
      return buffer;
    };
    // Rows of the residual stream the head reads: the real tokens (after any virtual ones), fixed by the shape.
    const headRows = vector(this.stateCtx, GgmlType.I32, realTokens, "head_rows");
    this.stateBuffer = allocate(this.stateCtx);
    const rows = realTokenRows(options.tokensPerSequence, P, B);
    api.ggml_backend_tensor_set(headRows, rows, 0, rows.byteLength);
    this.gradBuffer = allocate(this.gradCtx);
    this.galloc = api.ggml_gallocr_new(api.ggml_backend_get_default_buffer_type(model.backend.handle));

    // Forward: store the residual stream entering each block, and the one leaving the last.
    const forward = new GraphContext(api, graphNodeBudget(L, false) + 4 * L, false);
    forward.differentiable = true; // the residuals it stores must equal what the segments' recompute produces
    const copies: GgmlTensor[] = [];
    buildDecoderResidual(forward, model.arch, hparams, model.weights, { ...decoderInputs, segment: { fromLayer: 0, toLayer: L, onResidual: (l, x) => checkpoints[l] && copies.push(api.ggml_cpy(forward.ctx, x, checkpoints[l])) } }, hooks);
    for (const copy of copies) forward.expand(copy);
    lowerProducts(forward, options.products);
    this.graphs.push(forward);

    for (const h of checkpoints) if (h) api.ggml_set_param(h);
    const inputGradients = new Map(checkpoints.flatMap((h, l) => (h ? [[h, gradientOf(l)] as const] : [])));
    const backward = (build: (g: GraphContext) => GgmlTensor, clear?: GgmlTensor) => this.addBackwardGraph(build, inputGradients, clear);
    const blockLoss = (g: GraphContext, out: GgmlTensor, upstream: GgmlTensor) => g.api.ggml_sum(g.ctx, g.api.ggml_mul(g.ctx, out, upstream));

    // The head in token ranges, each its own graph: only one range's logits, probabilities and their gradient are
    // alive at a time (with a large vocabulary they are the largest tensors of the step).
    for (const range of this.inputs.lossChunks!) {
      const [start, end] = range;
      const { g: head, loss } = backward((g) => {
        const hidden = api.ggml_get_rows(g.ctx, checkpoints[L]!, api.ggml_view_1d(g.ctx, headRows, end - start, 4 * start)); // [E, n]
        return headRangeLoss(g, model, hooks, decoderInputs, hidden, this.inputs.lossInputs, range);
      }, start === 0 ? gradientOf(L) : undefined); // every range adds to dh_L: cleared before the first
      this.heads.set(head, loss);
    }
    for (let l = L - 1; l >= 0; l--) {
      backward((g) => {
        const out = buildDecoderResidual(g, model.arch, hparams, model.weights, { ...decoderInputs, segment: { hiddenIn: checkpoints[l], fromLayer: l, toLayer: l + 1 } }, hooks);
        return blockLoss(g, out, gradientOf(l + 1));
      }, gradientOf(l));
    }
    if (embeddingsTrain) {
      backward((g) => {
        const h0 = buildDecoderResidual(g, model.arch, hparams, model.weights, { ...decoderInputs, segment: { fromLayer: 0, toLayer: 0 } }, hooks);
        return blockLoss(g, h0, gradientOf(0));
      });
    }
    // One allocator for every graph. ggml's allocator treats a tensor that already has data as allocated elsewhere,
    // so a graph allocated again keeps the offsets of its first allocation: correct only while the buffer never
    // moves. Reserving every graph first sizes the buffer for the largest, so it never grows (checked in run()).
    // On a GPU the scheduler allocates each graph in turn instead (see gpu-scheduler.ts).
    if (!options.gpu) {
      for (const g of this.graphs) {
        if (!api.ggml_gallocr_reserve(this.galloc, g.graph)) throw new ShapeError("ggml could not reserve memory for a checkpointed training graph");
      }
    }
    this.reservedBytes = api.ggml_gallocr_get_buffer_size(this.galloc, 0);
  }

  /**
   * A graph whose backward adds into the Trainer's accumulators (and into `inputGradients` for the checkpoints it
   * reads), with its out_prods rewritten; `clear` is the gradient buffer to zero before it runs.
   */
  private addBackwardGraph(build: (g: GraphContext) => GgmlTensor, inputGradients: ReadonlyMap<GgmlTensor, GgmlTensor>, clear?: GgmlTensor): { g: GraphContext; loss: GgmlTensor } {
    const { api } = this.model;
    const g = new GraphContext(api, graphNodeBudget(1, true) + 1024, true);
    const loss = build(g);
    api.ggml_set_loss(loss);
    api.ggml_set_output(loss);
    g.expand(loss);
    const n = api.ggml_graph_n_nodes(g.graph);
    const accs = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      const node = api.ggml_graph_node(g.graph, i);
      accs[i] = node === loss ? this.options.lossGradient : (this.options.accumulatorOf(node) ?? inputGradients.get(node) ?? 0n);
    }
    api.ggml_build_backward_expand(g.ctx, g.graph, accs);
    this.rewrittenBackwardNodes += lowerProducts(g, this.options.products);
    this.graphs.push(g);
    if (clear) this.clearBefore.set(g, clear);
    return { g, loss };
  }

  /** Forward, then backward graph by graph; adds to the Trainer's accumulators and returns the micro-batch's loss. */
  run(): number {
    const { api } = this.model;
    const loss = new Float32Array(1);
    let total = 0;
    const { gpu } = this.options;
    for (const g of this.graphs) {
      if (gpu) {
        gpu.allocate(g);
      } else {
        if (!api.ggml_gallocr_alloc_graph(this.galloc, g.graph)) throw new ShapeError("ggml could not allocate a checkpointed training graph");
        if (api.ggml_gallocr_get_buffer_size(this.galloc, 0) !== this.reservedBytes) throw new Error("the checkpointed pass's compute buffer moved (this is a bug)");
      }
      const accumulator = this.clearBefore.get(g);
      if (accumulator) api.ggml_backend_tensor_memset(accumulator, 0, 0, api.ggml_nbytes(accumulator));
      if (gpu) {
        gpu.compute(g);
      } else {
        const status = api.ggml_backend_graph_compute(this.model.backend.handle, g.graph);
        if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
      }
      // A loss lives in the shared buffer: read it before the next graph reuses the memory.
      const headLoss = this.heads.get(g);
      if (headLoss) {
        api.ggml_backend_tensor_get(headLoss, loss, 0, 4);
        total += loss[0]!;
      }
    }
    return total;
  }

  /** Bytes of the shared compute buffer and of the checkpoints, their gradients and the inputs. */
  bufferBytes(): number {
    const { api } = this.model;
    return api.ggml_gallocr_get_buffer_size(this.galloc, 0) + api.ggml_backend_buffer_get_size(this.stateBuffer) + api.ggml_backend_buffer_get_size(this.gradBuffer);
  }

  /** Every graph of the pass (forward, head ranges, block backwards), for device checks. */
  graphContexts(): readonly GraphContext[] {
    return this.graphs;
  }

  dispose(): void {
    const { api } = this.model;
    for (const g of this.graphs) g.dispose();
    api.ggml_gallocr_free(this.galloc);
    for (const buffer of [this.stateBuffer, this.gradBuffer]) api.ggml_backend_buffer_free(buffer);
    for (const ctx of [this.stateCtx, this.gradCtx]) api.ggml_free(ctx);
  }

  private graphTouchesTrainable(g: GraphContext): boolean {
    const { api } = this.model;
    const seen = new Set<GgmlTensor>();
    const visit = (t: GgmlTensor | null): boolean => {
      if (!t || seen.has(t)) return false;
      seen.add(t);
      if (this.options.accumulatorOf(t)) return true;
      return tensorOp(t).src.some(visit);
    };
    for (let i = 0; i < api.ggml_graph_n_nodes(g.graph); i++) if (visit(api.ggml_graph_node(g.graph, i))) return true;
    return false;
  }
}
