// The key/value cache of incremental decoding: per layer, F32 keys and values [D*K, slots] in one backend buffer on the
// model's device, kept across decode steps so each new token attends to the past without recomputing it.
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import type { GgmlBuffer, GgmlContext, GgmlTensor } from "../native/ggml-bindings.js";
import { ensureMemory } from "./memory.js";
import type { EngineModel } from "./model.js";

export class KvCache {
  private constructor(
    private readonly model: EngineModel,
    private readonly ctx: GgmlContext,
    private readonly buffer: GgmlBuffer,
    /** Per layer: keys and values, F32 [D*K, slots] (slot s is row s: all kv heads of one token). */
    readonly layers: ReadonlyArray<{ k: GgmlTensor; v: GgmlTensor }>,
    /** Capacity in tokens (prefix and virtual tokens included). */
    readonly slots: number,
  ) {}

  /** Bytes a cache of `slots` tokens takes for this model. */
  static bytes(model: EngineModel, slots: number): number {
    const { nLayer, nHeadKv, headDim } = model.hparams;
    return 2 * nLayer * headDim * nHeadKv * slots * 4;
  }

  static create(model: EngineModel, slots: number): KvCache {
    if (!Number.isInteger(slots) || slots < 1) throw new ShapeError(`a key/value cache needs a positive whole number of slots, got ${slots}`);
    const { api, hparams } = model;
    const row = hparams.headDim * hparams.nHeadKv;
    ensureMemory(KvCache.bytes(model, slots), { en: `a key/value cache of ${slots} tokens`, ko: `${slots}토큰 키/값 캐시` }, { en: "Use a smaller --ctx.", ko: "--ctx를 줄이세요." });
    const ctx = api.ggml_init({ mem_size: (2 * hparams.nLayer + 4) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    const layers: Array<{ k: GgmlTensor; v: GgmlTensor }> = [];
    for (let il = 0; il < hparams.nLayer; il++) {
      const k = api.ggml_new_tensor_2d(ctx, GgmlType.F32, row, slots);
      const v = api.ggml_new_tensor_2d(ctx, GgmlType.F32, row, slots);
      api.ggml_set_name(k, `cache_k_l${il}`);
      api.ggml_set_name(v, `cache_v_l${il}`);
      layers.push({ k, v });
    }
    const buffer = api.ggml_backend_alloc_ctx_tensors(ctx, model.backend.handle);
    if (!buffer) {
      api.ggml_free(ctx);
      throw new ShapeError(`could not allocate a key/value cache of ${slots} tokens on ${model.backend.name}`);
    }
    // Unfilled slots are masked out, but masked garbage could still be NaN, and NaN * 0 poisons attention.
    api.ggml_backend_buffer_clear(buffer, 0);
    return new KvCache(model, ctx, buffer, layers, slots);
  }

  dispose(): void {
    this.model.api.ggml_backend_buffer_free(this.buffer);
    this.model.api.ggml_free(this.ctx);
  }
}
