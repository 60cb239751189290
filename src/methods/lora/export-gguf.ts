// LoRA as a GGUF adapter in llama.cpp's convention (convert_lora_to_gguf.py, llama-adapter.cpp): general.type
// "adapter", adapter.type "lora", adapter.lora.alpha, tensors <weight>.lora_a [in, r] and <weight>.lora_b [r, out]
// (ggml order). llama.cpp scales by alpha / r, so rsLoRA's alpha / sqrt(r) is written as alpha * sqrt(r).
import { GgmlType, gguf, writeGguf, type GgufFile, type GgufTensorInput } from "../../formats/gguf/index.js";
import { loraAlpha, loraRank, type LoraOptions } from "./options.js";
import type { LoraTarget } from "./targets.js";

export async function writeGgufLora(
  file: string,
  base: GgufFile,
  targets: readonly LoraTarget[],
  values: ReadonlyMap<string, Float32Array>,
  options: LoraOptions,
): Promise<void> {
  const rank = loraRank(options);
  const effectiveAlpha = options.rslora ? loraAlpha(options) * Math.sqrt(rank) : loraAlpha(options);
  const tensors: GgufTensorInput[] = [];
  for (const t of targets) {
    tensors.push(
      { name: `${t.name}.weight.lora_a`, type: GgmlType.F32, ne: [t.nIn, rank], data: values.get(`${t.name}.weight.lora_a`)! },
      { name: `${t.name}.weight.lora_b`, type: GgmlType.F32, ne: [rank, t.nOut], data: values.get(`${t.name}.weight.lora_b`)! },
    );
  }
  await writeGguf(file, {
    metadata: {
      "general.architecture": gguf.str(base.architecture),
      "general.type": gguf.str("adapter"),
      "general.name": gguf.str(`localtune LoRA r${rank}`),
      "adapter.type": gguf.str("lora"),
      "adapter.lora.alpha": gguf.f32(effectiveAlpha),
    },
    tensors,
  });
}
