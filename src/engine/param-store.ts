// Tensors a method adds to a model (LoRA matrices, prompt embeddings, prefixes, scaling vectors): F32, in one buffer
// on the model's backend, initialised from host arrays, trainable.
import { ShapeError } from "../errors.js";
import { GgmlType } from "../formats/gguf/index.js";
import type { GgmlBuffer, GgmlContext, GgmlTensor } from "../native/ggml-bindings.js";
import type { EngineModel } from "./model.js";
import type { TrainableTensor } from "./trainer.js";

export interface ParamSpec {
  /** GGUF-style name, at most 63 bytes. */
  name: string;
  /** ggml shape (ne[0] first), 1 to 4 dimensions. */
  ne: number[];
  /** Initial values (product of ne). */
  init: Float32Array;
}

export class ParamStore {
  private readonly ctx: GgmlContext;
  private readonly buffer: GgmlBuffer;
  private readonly tensors = new Map<string, GgmlTensor>();

  constructor(
    private readonly model: EngineModel,
    specs: readonly ParamSpec[],
  ) {
    const { api } = model;
    this.ctx = api.ggml_init({ mem_size: (specs.length + 4) * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
    for (const spec of specs) {
      const [a = 1, b = 1, c = 1, d = 1] = spec.ne;
      if (a * b * c * d !== spec.init.length) throw new ShapeError(`${spec.name}: ${spec.init.length} initial values for shape [${spec.ne.join(", ")}]`);
      const tensor = api.ggml_new_tensor_4d(this.ctx, GgmlType.F32, a, b, c, d);
      api.ggml_set_name(tensor, spec.name);
      this.tensors.set(spec.name, tensor);
    }
    const buffer = api.ggml_backend_alloc_ctx_tensors(this.ctx, model.backend.handle);
    if (!buffer) throw new ShapeError("could not allocate the method's tensors");
    this.buffer = buffer;
    for (const spec of specs) api.ggml_backend_tensor_set(this.tensors.get(spec.name)!, spec.init, 0, spec.init.byteLength);
  }

  get(name: string): GgmlTensor {
    const t = this.tensors.get(name);
    if (t === undefined) throw new ShapeError(`no tensor ${name} in the method's store`);
    return t;
  }

  trainable(): TrainableTensor[] {
    return [...this.tensors].map(([name, tensor]) => ({ name, tensor }));
  }

  /** Current values of one tensor. */
  read(name: string): Float32Array {
    const tensor = this.get(name);
    const out = new Float32Array(this.model.api.ggml_nelements(tensor));
    this.model.api.ggml_backend_tensor_get(tensor, out, 0, out.byteLength);
    return out;
  }

  dispose(): void {
    this.model.api.ggml_backend_buffer_free(this.buffer);
    this.model.api.ggml_free(this.ctx);
  }
}
