// Where a weight lives decides which kernel multiplies it. ggml's CPU backend offers extra buffer types beside the
// plain one: "AMX" (Intel AMX tiles, Sapphire Rapids and later) and "CPU_REPACK" (interleaved layouts for AVX2/AVX-512
// and ARM). A quantized weight uploaded there is converted to that layout once, and its mul_mat runs on the matching
// kernel: llama.cpp places its weights the same way. Measured here (Sapphire Rapids, 2 threads): a Q8_0
// [576 x 1536] x [576 x 1024] product ran 2-3x faster from the AMX buffer than from the plain one, same values.
//
// The converted layout is only readable by mul_mat. Anything else that reads a weight (get_rows on the embeddings,
// the backward's transposes, reading values back) needs the plain layout, so only inference places weights there and
// never token_embd; the Trainer loads plain weights.
import { GgmlType } from "../formats/gguf/index.js";
import { ggmlGetExtraBuftsProto, setTensorBuffer, type GgmlApi, type Ptr } from "../native/ggml-bindings.js";
import type { ComputeBackend } from "../native/ggml-runtime.js";
import koffi from "koffi";

export interface ExtraBufferType {
  name: string;
  buft: Ptr;
}

/** The backend device's extra buffer types, best first (as the device lists them); none for GPU devices. */
export function extraBufferTypes(api: GgmlApi, backend: ComputeBackend): ExtraBufferType[] {
  const reg = api.ggml_backend_dev_backend_reg(backend.device);
  const getter = api.ggml_backend_reg_get_proc_address(reg, "ggml_backend_dev_get_extra_bufts");
  if (!getter) return [];
  const list = koffi.call(getter, ggmlGetExtraBuftsProto, backend.device) as unknown;
  if (!list) return [];
  const found: ExtraBufferType[] = [];
  for (let i = 0; i < 16; i++) {
    const buft = koffi.decode(list, i * 8, "void *") as Ptr | null;
    if (!buft) break;
    found.push({ name: api.ggml_backend_buft_name(buft), buft: BigInt(buft) });
  }
  return found;
}

/**
 * The first extra buffer type whose kernel can multiply a weight of this type and shape by a batch of activations,
 * as ggml itself answers it (the device's supports_op with the weight pointed at a buffer of that type), or undefined.
 */
export function bufferTypeForWeight(api: GgmlApi, backend: ComputeBackend, candidates: readonly ExtraBufferType[], type: GgmlType, ne: readonly number[]): ExtraBufferType | undefined {
  if (ne.length !== 2 || type === GgmlType.F32) return undefined;
  const ctx = api.ggml_init({ mem_size: 8 * api.ggml_tensor_overhead(), mem_buffer: null, no_alloc: true });
  try {
    const weight = api.ggml_new_tensor_2d(ctx, type, ne[0]!, ne[1]!);
    const op = api.ggml_mul_mat(ctx, weight, api.ggml_new_tensor_2d(ctx, GgmlType.F32, ne[0]!, 512));
    for (const candidate of candidates) {
      const probe = api.ggml_backend_buft_alloc_buffer(candidate.buft, 0);
      if (!probe) continue;
      setTensorBuffer(weight, probe);
      const supported = api.ggml_backend_dev_supports_op(backend.device, op);
      setTensorBuffer(weight, null);
      api.ggml_backend_buffer_free(probe);
      if (supported) return candidate;
    }
    return undefined;
  } finally {
    api.ggml_free(ctx);
  }
}
