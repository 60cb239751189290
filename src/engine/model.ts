// A model in the engine: GGUF metadata and tensor infos checked against the architecture, weights uploaded to a
// backend buffer, and a scheduler to run graphs on it. Loading validates everything ggml would otherwise abort on.
import { findArchitecture } from "../arch/registry.js";
import { readHparams, type ModelHparams } from "../arch/hparams.js";
import { decoderTensorSpecs, type ArchDefinition } from "../arch/types.js";
import { GgufFormatError, ShapeError } from "../errors.js";
import { GgmlType, readGguf, type GgufFile, type GgufTensorInfo } from "../formats/gguf/index.js";
import { dequantize } from "../formats/quant/convert.js";
import type { GgmlBuffer, GgmlContext, GgmlSched, GgmlTensor } from "../native/ggml-bindings.js";
import { loadGgml, openBackend, type BackendOptions, type ComputeBackend, type GgmlRuntime } from "../native/ggml-runtime.js";
import { ensureMemory } from "./memory.js";

export interface LoadOptions extends BackendOptions {
  /** Skip the free-memory check (the caller has done its own). Default false. */
  skipMemoryCheck?: boolean;
  /** Hold every weight as F32 (dequantizing F16, BF16 and quantized tensors): needed when all weights train. Default false. */
  f32Weights?: boolean;
}

export class EngineModel {
  private constructor(
    readonly runtime: GgmlRuntime,
    readonly backend: ComputeBackend,
    readonly file: GgufFile,
    readonly arch: ArchDefinition,
    readonly hparams: ModelHparams,
    private readonly weightCtx: GgmlContext,
    private readonly weightBuffer: GgmlBuffer,
    readonly weights: ReadonlyMap<string, GgmlTensor>,
    readonly sched: GgmlSched,
    /** Bytes of weights held in the backend buffer. */
    readonly weightBytes: number,
  ) {}

  static async load(path: string, options: LoadOptions = {}): Promise<EngineModel> {
    const file = readGguf(path);
    const arch = findArchitecture(file.architecture);
    const hparams = readHparams(file, file.tensors, arch.ropeMode);
    validateTensors(file, arch, hparams);
    const heldType = (info: GgufTensorInfo) => (options.f32Weights ? GgmlType.F32 : info.type);
    const weightBytes = file.tensors.reduce((sum, t) => sum + (options.f32Weights ? t.elementCount * 4 : t.byteLength), 0);
    if (!options.skipMemoryCheck) {
      ensureMemory(weightBytes * 1.1 + 64 * 2 ** 20, `loading ${path}`, "Use a smaller or more strongly quantized model, or close other programs.");
    }
    const runtime = await loadGgml(options.device === "gpu" ? "auto" : "cpu");
    const backend = openBackend(runtime, options);
    const { api } = runtime;
    const weightCtx = api.ggml_init({ mem_size: (file.tensors.length + 8) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    const weights = new Map<string, GgmlTensor>();
    for (const info of file.tensors) {
      const [a = 1, b = 1, c = 1, d = 1] = info.ne;
      const tensor = api.ggml_new_tensor_4d(weightCtx, heldType(info), a, b, c, d);
      api.ggml_set_name(tensor, info.name);
      weights.set(info.name, tensor);
    }
    const weightBuffer = api.ggml_backend_alloc_ctx_tensors(weightCtx, backend.handle);
    if (!weightBuffer) throw new ShapeError(`could not allocate ${weightBytes} bytes of weights on ${backend.name}`);
    api.ggml_backend_buffer_set_usage(weightBuffer, 1); // GGML_BACKEND_BUFFER_USAGE_WEIGHTS: lets the scheduler keep ops beside them
    for (const info of file.tensors) {
      // One tensor at a time: peak host memory is the largest tensor, not the model.
      const raw = file.readTensorData(info);
      const bytes = heldType(info) === info.type ? raw : dequantize(info.type, raw, info.elementCount); // a copy, once at load
      api.ggml_backend_tensor_set(weights.get(info.name)!, bytes, 0, bytes.byteLength);
    }
    const handles = new BigUint64Array([backend.handle]);
    const sched = api.ggml_backend_sched_new(handles, null, 1, 65536, false, true);
    return new EngineModel(runtime, backend, file, arch, hparams, weightCtx, weightBuffer, weights, sched, weightBytes);
  }

  get api() {
    return this.runtime.api;
  }

  dispose(): void {
    const { api } = this;
    api.ggml_backend_sched_free(this.sched);
    api.ggml_backend_buffer_free(this.weightBuffer);
    api.ggml_free(this.weightCtx);
    this.backend.dispose();
  }
}

/** Every tensor the architecture needs exists with the right shape, so graph building cannot trip a GGML_ASSERT. */
function validateTensors(file: GgufFile, arch: ArchDefinition, hp: ModelHparams): void {
  if (hp.nHead % hp.nHeadKv !== 0) {
    throw new GgufFormatError(file.file, `${hp.arch}.attention.head_count_kv`, `${hp.nHead} query heads are not a multiple of ${hp.nHeadKv} kv heads`);
  }
  if (hp.ropeDims > hp.headDim || hp.ropeDims % 2 !== 0) {
    throw new GgufFormatError(file.file, `${hp.arch}.rope.dimension_count`, `${hp.ropeDims} must be even and at most the head width ${hp.headDim}`);
  }
  for (const spec of decoderTensorSpecs(arch, hp)) {
    const info = file.findTensor(spec.name);
    if (!info) {
      if (spec.optional) continue;
      throw new GgufFormatError(file.file, `tensor "${spec.name}"`, `missing: a ${arch.name} model of this shape needs it`);
    }
    const ne = [...info.ne];
    while (ne.length < spec.ne.length) ne.push(1);
    if (ne.join(",") !== spec.ne.join(",")) {
      throw new GgufFormatError(file.file, `tensor "${spec.name}"`, `shape [${info.ne.join(", ")}] does not match [${spec.ne.join(", ")}] from the metadata`);
    }
  }
}
