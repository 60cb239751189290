// Writes a GGUF model with its weights in the types of an --quant preset (quant-plan.ts), encoded by ggml's own
// quantizers (ggml_quantize_chunk through the koffi binding): the bytes llama.cpp's quantize writes without an
// importance matrix. Tensors stream one at a time into a temp file that is renamed at the end.
import { UnsupportedTensorTypeError } from "../errors.js";
import { DEQUANTIZABLE_TYPES, dequantize, ggmlTypeInfo, ggmlTypeName, gguf, readGguf, writeGguf, type GgufTensorInput } from "../formats/gguf/index.js";
import { encodeTensorWith } from "../engine/quantize.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { loadGgml } from "../native/ggml-runtime.js";
import { EXPORT_QUANTS, planQuantization, type ExportQuant, type QuantFallback } from "./quant-plan.js";

// ggml's GGML_QNT_VERSION, which llama.cpp's quantize records beside general.file_type.
const GGML_QNT_VERSION = 2;

export interface QuantizeModelOptions {
  /** Source GGUF (any type our reader can dequantize). */
  model: string;
  /** GGUF to write. */
  out: string;
  quant: ExportQuant;
  /** Called after each tensor is written. */
  onProgress?: (done: number, total: number, tensor: string) => void;
}

export interface QuantizeModelResult {
  out: string;
  /** Tensor name -> ggml type name as written. */
  types: Record<string, string>;
  /** Tensors whose rows did not fit the preset's type, and the type they got instead (as llama.cpp falls back). */
  fallbacks: QuantFallback[];
}

export async function quantizeModel(options: QuantizeModelOptions): Promise<QuantizeModelResult> {
  assertOutputIsNotInput({ path: options.out, kind: "file" }, [options.model]);
  const source = readGguf(options.model);
  const plan = planQuantization(source.tensors, options.quant);
  const unreadable = source.tensors.filter((t) => plan.types.has(t.name) && plan.types.get(t.name) !== t.type && !DEQUANTIZABLE_TYPES.includes(t.type));
  if (unreadable.length > 0) {
    const list = unreadable.map((t) => `${t.name} (${ggmlTypeName(t.type)})`).join(", ");
    const readable = DEQUANTIZABLE_TYPES.map(ggmlTypeName).join(", ");
    throw new UnsupportedTensorTypeError({
      en: `${options.model}: cannot re-encode ${list}: localtune reads ${readable}. Export from an F32, F16 or Q8_0 model.`,
      ko: `${options.model}: ${list}을(를) 다시 인코딩할 수 없습니다: localtune이 읽는 형식은 ${readable}입니다. F32, F16 또는 Q8_0 모델에서 내보내세요.`,
    });
  }
  // The writer pulls each tensor through a synchronous callback, so ggml is loaded once up front.
  const api = [...plan.types.values()].some((t) => ggmlTypeInfo(t).quantized) ? (await loadGgml()).api : undefined;
  const metadata = new Map(source.metadata);
  metadata.delete("general.alignment");
  metadata.set("general.file_type", gguf.u32(EXPORT_QUANTS[options.quant].fileType));
  metadata.set("general.quantization_version", gguf.u32(GGML_QNT_VERSION));
  const types: Record<string, string> = {};
  let done = 0;
  const tensors: GgufTensorInput[] = source.tensors.map((info) => {
    const type = plan.types.get(info.name) ?? info.type;
    types[info.name] = ggmlTypeName(type);
    return {
      name: info.name,
      type,
      ne: info.ne,
      data: () => {
        const raw = source.readTensorData(info);
        const bytes = type === info.type ? raw : encodeTensorWith(api, type, dequantize(info.type, raw, info.elementCount), info.ne[0]!);
        options.onProgress?.(++done, source.tensors.length, info.name);
        return bytes;
      },
    };
  });
  await writeGguf(options.out, { metadata, tensors }); // written to a temporary file, then renamed
  return { out: options.out, types, fallbacks: plan.fallbacks };
}
