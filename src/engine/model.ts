// A model in the engine: GGUF metadata and tensor infos checked against the architecture, weights uploaded to a
// backend buffer, and a scheduler to run graphs on it. Loading validates everything ggml would otherwise abort on.
import { findArchitecture } from "../arch/registry.js";
import { readHparams, type ModelHparams } from "../arch/hparams.js";
import type { ArchDefinition } from "../arch/types.js";
import { checkFiniteWeights, validateModelTensors, validateTokenizer } from "../arch/validate-model.js";
import { ShapeError } from "../errors.js";
import { GgmlType, readGguf, type GgufFile, type GgufTensorInfo } from "../formats/gguf/index.js";
import { dequantize } from "../formats/quant/convert.js";
import type { GgmlBuffer, GgmlContext, GgmlSched, GgmlTensor } from "../native/ggml-bindings.js";
import { GGML_DEVICE_TYPE, loadGgml, openBackend, type BackendOptions, type ComputeBackend, type GgmlRuntime } from "../native/ggml-runtime.js";
import { ggmlTypeInfo } from "../formats/tensor-types.js";
import { bufferTypeForWeight, extraBufferTypes, type ExtraBufferType } from "./weight-buffers.js";
import { ensureMemory } from "./memory.js";

export interface LoadOptions extends BackendOptions {
  /** Skip the free-memory check (the caller has done its own). Default false. */
  skipMemoryCheck?: boolean;
  /** Hold every weight as F32 (dequantizing F16, BF16 and quantized tensors): needed when all weights train. Default false. */
  f32Weights?: boolean;
  /** Place quantized matmul weights (not token_embd) in the CPU backend's AMX or repacked buffers where ggml can
   *  multiply them there (weight-buffers.ts): faster inference. Such weights can only be multiplied, so a model
   *  loaded this way cannot train. Default false. */
  kernelLayouts?: boolean;
  /** With kernelLayouts: also keep each such weight in the plain layout, for the backward pass's transposes, so the
   *  model can train (a frozen base only) with the fast forward kernels, at the memory of a second copy. Default false. */
  plainCopies?: boolean;
}

export class EngineModel {
  private constructor(
    readonly runtime: GgmlRuntime,
    readonly backend: ComputeBackend,
    readonly file: GgufFile,
    readonly arch: ArchDefinition,
    readonly hparams: ModelHparams,
    private readonly weightCtxs: readonly GgmlContext[],
    private readonly weightBuffers: readonly GgmlBuffer[],
    readonly weights: ReadonlyMap<string, GgmlTensor>,
    readonly sched: GgmlSched,
    /** Bytes of weights held in the backend buffer. */
    readonly weightBytes: number,
    /** Weights in an AMX / repacked buffer (LoadOptions.kernelLayouts), by name with the buffer type's name. */
    readonly kernelLayoutWeights: ReadonlyMap<string, string>,
    /** Plain-layout copies of those weights (LoadOptions.plainCopies), by the kernel-layout tensor. */
    readonly plainCopies: ReadonlyMap<GgmlTensor, GgmlTensor>,
  ) {}

  static async load(path: string, options: LoadOptions = {}): Promise<EngineModel> {
    return EngineModel.loadParsed(readGguf(path), options);
  }

  /** Loads from a GGUF file already parsed by the caller (the training planner reads it first for the memory plan),
   *  so the header is not read and validated twice. Tensor data is still read here, one tensor at a time. */
  static async loadParsed(file: GgufFile, options: LoadOptions = {}): Promise<EngineModel> {
    const path = file.file;
    const arch = findArchitecture(file.architecture);
    const hparams = readHparams(file, file.tensors, arch);
    validateModelTensors(file, arch, hparams);
    validateTokenizer(file, hparams, false);
    const heldType = (info: GgufTensorInfo) => (options.f32Weights ? GgmlType.F32 : info.type);
    const weightBytes = file.tensors.reduce((sum, t) => sum + (options.f32Weights ? t.elementCount * 4 : t.byteLength), 0);
    if (!options.skipMemoryCheck) {
      ensureMemory(weightBytes * 1.1 + 64 * 2 ** 20, { en: `loading ${path}`, ko: `${path} 불러오기` }, {
        en: "Use a smaller or more strongly quantized model, or close other programs.",
        ko: "더 작거나 더 강하게 양자화된 모델을 쓰거나, 다른 프로그램을 닫으세요.",
      });
    }
    const runtime = await loadGgml(options.device);
    const parameterCount = file.tensors.reduce((sum, t) => sum + t.elementCount, 0);
    const backend = openBackend(runtime, { ...options, parameterCount, neededBytes: options.neededBytes ?? weightBytes * 1.1 });
    const { api } = runtime;
    const newContext = () => api.ggml_init({ mem_size: (file.tensors.length + 8) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    // One context per buffer: the plain one (key "") and each extra buffer type some weight goes to.
    const contexts = new Map<string, { ctx: GgmlContext; buft: ExtraBufferType | undefined; count: number }>([["", { ctx: newContext(), buft: undefined, count: 0 }]]);
    const kernelLayoutWeights = new Map<string, string>();
    const candidates = options.kernelLayouts && !options.f32Weights && api.ggml_backend_dev_type(backend.device) === GGML_DEVICE_TYPE.cpu ? extraBufferTypes(api, backend) : [];
    const weights = new Map<string, GgmlTensor>();
    const plainCopies = new Map<GgmlTensor, GgmlTensor>();
    const uploads: Array<{ info: GgufTensorInfo; tensor: GgmlTensor }> = [];
    for (const info of file.tensors) {
      const [a = 1, b = 1, c = 1, d = 1] = info.ne;
      // get_rows reads token_embd row by row: it stays in the plain layout.
      const extra = candidates.length > 0 && info.name !== "token_embd.weight" && ggmlTypeInfo(info.type).quantized ? bufferTypeForWeight(api, backend, candidates, info.type, info.ne) : undefined;
      const key = extra?.name ?? "";
      if (!contexts.has(key)) contexts.set(key, { ctx: newContext(), buft: extra, count: 0 });
      const target = contexts.get(key)!;
      target.count++;
      const tensor = api.ggml_new_tensor_4d(target.ctx, heldType(info), a, b, c, d);
      api.ggml_set_name(tensor, info.name);
      weights.set(info.name, tensor);
      uploads.push({ info, tensor });
      if (extra) kernelLayoutWeights.set(info.name, extra.name);
      if (extra && options.plainCopies) {
        const plain = contexts.get("")!;
        plain.count++;
        const copy = api.ggml_new_tensor_4d(plain.ctx, info.type, a, b, c, d);
        api.ggml_set_name(copy, `${info.name} (plain)`.slice(0, 63));
        plainCopies.set(tensor, copy);
        uploads.push({ info, tensor: copy });
      }
    }
    const weightBuffers: GgmlBuffer[] = [];
    for (const { ctx, buft, count } of contexts.values()) {
      if (count === 0) continue;
      const buffer = buft ? api.ggml_backend_alloc_ctx_tensors_from_buft(ctx, buft.buft) : api.ggml_backend_alloc_ctx_tensors(ctx, backend.handle);
      if (!buffer) throw new ShapeError(`could not allocate ${weightBytes} bytes of weights on ${backend.name}${buft ? ` (${buft.name} buffer)` : ""}`);
      api.ggml_backend_buffer_set_usage(buffer, 1); // GGML_BACKEND_BUFFER_USAGE_WEIGHTS: lets the scheduler keep ops beside them
      weightBuffers.push(buffer);
    }
    for (const { info, tensor } of uploads) {
      // One tensor at a time: peak host memory is the largest tensor, not the model.
      const raw = file.readTensorData(info);
      checkFiniteWeights(file.file, info, raw);
      const bytes = heldType(info) === info.type ? raw : dequantize(info.type, raw, info.elementCount); // a copy, once at load
      api.ggml_backend_tensor_set(tensor, bytes, 0, bytes.byteLength);
    }
    // On a GPU the CPU backend comes last (ggml asserts it): ops the GPU cannot run go there.
    const handles = backend.schedulerBackends;
    const sched = api.ggml_backend_sched_new(handles, null, handles.length, 65536, false, true);
    const weightCtxs = [...contexts.values()].map((c) => c.ctx);
    return new EngineModel(runtime, backend, file, arch, hparams, weightCtxs, weightBuffers, weights, sched, weightBytes + [...plainCopies.values()].reduce((sum, t) => sum + api.ggml_nbytes(t), 0), kernelLayoutWeights, plainCopies);
  }

  get api() {
    return this.runtime.api;
  }

  dispose(): void {
    const { api } = this;
    api.ggml_backend_sched_free(this.sched);
    for (const buffer of this.weightBuffers) api.ggml_backend_buffer_free(buffer);
    for (const ctx of this.weightCtxs) api.ggml_free(ctx);
    this.backend.dispose();
  }
}
