// Incremental decoding on the engine: a prompt is evaluated once into the key/value cache, then each new token costs
// one small graph that reads the cache. A decode graph is built once per bucket of attended slots and reused for the
// tokens of that bucket: the token, its position, its slot and the attention mask are input data.
import { buildDecoder } from "./graph/decoder.js";
import type { DecoderHooks } from "./graph/hooks.js";
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import type { GgmlSched, GgmlTensor } from "../native/ggml-bindings.js";
import { GraphContext, graphNodeBudget } from "./graph-context.js";
import { KvCache } from "./kv-cache.js";
import type { EngineModel } from "./model.js";

/** Attention reads a multiple of this many slots, so one decode graph serves this many consecutive tokens. */
const SLOT_BUCKET = 32;
/** Longest prompt chunk evaluated in one graph: bounds the [slots, chunk, heads] attention scores. */
const PREFILL_CHUNK = 256;

export interface CachedDecoderOptions {
  /** Cache capacity in tokens, prefix and virtual tokens included. */
  slots: number;
  /**
   * Adapter hooks: `linear` and `activation` apply at every step; `virtualTokens` enter the cache in front of the
   * prompt; `attentionPrefix` keys and values are written once into the first cache slots.
   */
  hooks?: DecoderHooks;
}

interface StepGraph {
  g: GraphContext;
  tokens: GgmlTensor;
  positions: GgmlTensor;
  slots: GgmlTensor;
  mask: GgmlTensor;
  /** The mask of sliding-window layers, when the model has them. */
  windowMask?: GgmlTensor;
  outputRows?: GgmlTensor;
  logits: GgmlTensor;
  /** Tokens in the graph (virtual ones included), virtual tokens among them, and slots attention reads. */
  n: number;
  virtual: number;
  attended: number;
}

/** One sequence decoded token by token over a KvCache. Not reentrant: one evaluation at a time. */
export class CachedDecoder {
  readonly cache: KvCache;
  private readonly sched: GgmlSched;
  private readonly hooks: DecoderHooks;
  /** Hooks of every step after the first chunk: virtual tokens enter the cache once. */
  private readonly stepHooks: DecoderHooks;
  /** The graph allocated in the scheduler now: reused while the shape stays (one decode graph per slot bucket). */
  private current: StepGraph | undefined;
  /** Slots the prefix holds (prefix tuning), never cleared by reset(). */
  private readonly prefixSlots: number;
  private filled = 0;
  private nextPosition = 0;

  constructor(
    readonly model: EngineModel,
    options: CachedDecoderOptions,
  ) {
    this.hooks = options.hooks ?? {};
    const { linear, activation } = this.hooks;
    this.stepHooks = { ...(linear ? { linear } : {}), ...(activation ? { activation } : {}) };
    this.prefixSlots = this.hooks.attentionPrefix?.count ?? 0;
    const reserved = this.prefixSlots + (this.hooks.virtualTokens?.count ?? 0);
    if (options.slots <= reserved) throw new ShapeError(`a cache of ${options.slots} slots leaves no room after ${reserved} adapter tokens`);
    this.cache = KvCache.create(model, options.slots);
    // A scheduler of our own: the decode graph stays allocated between tokens, whatever else runs on the model.
    this.sched = model.api.ggml_backend_sched_new(new BigUint64Array([model.backend.handle]), null, 1, 65536, false, true);
    try {
      if (this.hooks.attentionPrefix) this.writePrefix(this.hooks.attentionPrefix);
    } catch (error) {
      this.dispose();
      throw error;
    }
    this.reset();
  }

  /** Cache slots already holding tokens (prefix included). */
  get length(): number {
    return this.filled;
  }

  /** Tokens of prompt plus generation that still fit. */
  get remaining(): number {
    return this.cache.slots - this.filled - this.pendingVirtual();
  }

  /** Forgets the sequence (the prefix stays): the next evaluate() starts a new one, virtual tokens first. */
  reset(): void {
    this.filled = this.prefixSlots;
    this.nextPosition = 0;
  }

  /**
   * Appends tokens to the sequence and returns the logits [V] after the last one. The first call after reset()
   * puts the virtual tokens (prompt tuning) in front.
   */
  evaluate(tokens: ArrayLike<number>): Float32Array {
    if (tokens.length === 0) throw new ShapeError("evaluate() needs at least one token");
    if (tokens.length > this.remaining) {
      throw new ShapeError(`${tokens.length} tokens do not fit: the cache has room for ${this.remaining} more`);
    }
    const V = this.model.hparams.nVocab;
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= V) throw new ShapeError(`token id ${id} is outside the vocabulary [0, ${V})`);
    }
    let logits: Float32Array | undefined;
    for (let start = 0; start < tokens.length; start += PREFILL_CHUNK) {
      const chunk = Int32Array.from({ length: Math.min(PREFILL_CHUNK, tokens.length - start) }, (_, i) => tokens[start + i]!);
      logits = this.run(chunk);
    }
    return logits!;
  }

  dispose(): void {
    this.releaseGraph();
    this.model.api.ggml_backend_sched_free(this.sched);
    this.cache.dispose();
  }

  /** Virtual tokens still to enter the cache: all of them before the sequence's first token, none after. */
  private pendingVirtual(): number {
    return this.nextPosition === 0 ? (this.hooks.virtualTokens?.count ?? 0) : 0;
  }

  private run(tokens: Int32Array): Float32Array {
    const { api } = this.model;
    const virtual = this.pendingVirtual();
    const n = tokens.length + virtual;
    const first = this.filled;
    const attended = n === 1 ? Math.min(this.cache.slots, Math.ceil((first + 1) / SLOT_BUCKET) * SLOT_BUCKET) : first + n;
    let graph = this.current;
    if (!graph || graph.n !== n || graph.virtual !== virtual || graph.attended !== attended) {
      // ggml_backend_sched_reset leaves the tensors of the previous graph dangling: that graph goes, never re-allocated.
      this.releaseGraph();
      graph = this.build(tokens.length, virtual > 0, attended);
      api.ggml_backend_sched_reset(this.sched);
      if (!api.ggml_backend_sched_alloc_graph(this.sched, graph.g.graph)) {
        graph.g.dispose();
        throw new ShapeError("ggml could not allocate the decode graph");
      }
      this.current = graph;
    }
    const positions = Int32Array.from({ length: n }, (_, i) => this.nextPosition + i);
    const slots = Int32Array.from({ length: n }, (_, i) => first + i);
    // Query i (in slot first + i) sees slots 0..first + i: the prefix, the past and itself.
    const mask = new Float32Array(attended * n).fill(-Infinity);
    for (let i = 0; i < n; i++) mask.fill(0, i * attended, i * attended + first + i + 1);
    api.ggml_backend_tensor_set(graph.tokens, tokens, 0, tokens.byteLength);
    api.ggml_backend_tensor_set(graph.positions, positions, 0, positions.byteLength);
    api.ggml_backend_tensor_set(graph.slots, slots, 0, slots.byteLength);
    api.ggml_backend_tensor_set(graph.mask, mask, 0, mask.byteLength);
    const window = this.model.hparams.slidingWindow;
    if (graph.windowMask && window) {
      // Sliding-window layers also hide slots W or more behind the query (slots are consecutive positions).
      const windowMask = mask.slice();
      for (let i = 0; i < n; i++) windowMask.fill(-Infinity, i * attended, i * attended + Math.max(0, first + i - window.width + 1));
      api.ggml_backend_tensor_set(graph.windowMask, windowMask, 0, windowMask.byteLength);
    }
    if (graph.outputRows) api.ggml_backend_tensor_set(graph.outputRows, Int32Array.of(n - 1), 0, 4);
    const status = api.ggml_backend_sched_graph_compute(this.sched, graph.g.graph);
    if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
    const out = new Float32Array(this.model.hparams.nVocab);
    api.ggml_backend_tensor_get(graph.logits, out, 0, out.byteLength);
    this.filled += n;
    this.nextPosition += n;
    return out;
  }

  private releaseGraph(): void {
    this.current?.g.dispose();
    this.current = undefined;
  }

  private build(realTokens: number, withVirtual: boolean, attended: number): StepGraph {
    const { api, hparams } = this.model;
    const n = realTokens + (withVirtual ? (this.hooks.virtualTokens?.count ?? 0) : 0);
    const g = new GraphContext(api, graphNodeBudget(hparams.nLayer, false));
    try {
      const tokens = g.input("tokens", GgmlType.I32, [realTokens]);
      const positions = g.input("positions", GgmlType.I32, [n]);
      const slots = g.input("slots", GgmlType.I32, [n]);
      const mask = g.input("kq_mask", GgmlType.F32, [attended, n]);
      const outputRows = n > 1 ? g.input("output_rows", GgmlType.I32, [1]) : undefined;
      const hooks = withVirtual ? { ...this.stepHooks, virtualTokens: this.hooks.virtualTokens! } : this.stepHooks;
      const windowMask = hparams.slidingWindow ? g.input("kq_mask_swa", GgmlType.F32, [attended, n]) : undefined;
      const cache = { layers: this.cache.layers, slots, attended, mask, capacity: this.cache.slots, ...(windowMask ? { windowMask } : {}) };
      const { logits } = buildDecoder(g, this.model.arch, hparams, this.model.weights, { tokens, positions, outputRows, tokensPerSequence: realTokens, sequences: 1, cache }, hooks);
      api.ggml_set_output(logits);
      g.expand(logits);
      return { g, tokens, positions, slots, mask, logits, n, virtual: n - realTokens, attended, ...(outputRows ? { outputRows } : {}), ...(windowMask ? { windowMask } : {}) };
    } catch (error) {
      g.dispose();
      throw error;
    }
  }

  /** Writes the prefix keys and values [D, P, K] of every layer into slots 0..P-1 (rows of all kv heads). */
  private writePrefix(prefix: NonNullable<DecoderHooks["attentionPrefix"]>): void {
    const { api, hparams } = this.model;
    const { headDim: D, nHeadKv: K } = hparams;
    const P = prefix.count;
    this.releaseGraph();
    const g = new GraphContext(api, 16 * hparams.nLayer + 64);
    try {
      for (let il = 0; il < hparams.nLayer; il++) {
        const { k, v } = prefix.kv(g, il);
        const layer = this.cache.layers[il]!;
        for (const [source, target] of [[k, layer.k], [v, layer.v]] as const) {
          const rows = api.ggml_reshape_2d(g.ctx, api.ggml_cont(g.ctx, api.ggml_permute(g.ctx, source, 0, 2, 1, 3)), D * K, P); // [D*K, P]
          g.expand(api.ggml_cpy(g.ctx, rows, api.ggml_view_2d(g.ctx, target, D * K, P, D * K * 4, 0)));
        }
      }
      api.ggml_backend_sched_reset(this.sched);
      if (!api.ggml_backend_sched_alloc_graph(this.sched, g.graph)) throw new ShapeError("ggml could not allocate the prefix graph");
      const status = api.ggml_backend_sched_graph_compute(this.sched, g.graph);
      if (status !== 0) throw new ShapeError(`ggml graph compute failed with status ${status}`);
    } finally {
      api.ggml_backend_sched_reset(this.sched);
      g.dispose();
    }
  }
}
