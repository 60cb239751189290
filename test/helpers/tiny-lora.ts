// Writes a small GGUF LoRA adapter for stories260K (n_embd 64, 5 layers) with our GGUF writer, in llama.cpp's
// layout: blk.N.attn_q.weight.lora_a [ne0 = n_embd, ne1 = r], .lora_b [ne0 = r, ne1 = n_out], alpha in metadata.
import { GgmlType, gguf, writeGguf } from "../../src/formats/gguf/index.js";
import { xorshiftNoise } from "./noise.js";

export interface TinyLoraOptions {
  rank?: number;
  alpha?: number;
  /** Scale of the random B values; 0 writes B = 0 (a no-op adapter, like a freshly initialised LoRA). */
  bScale?: number;
  seed?: number;
}


export async function writeTinyLora(file: string, options: TinyLoraOptions = {}): Promise<void> {
  const rank = options.rank ?? 4;
  const nEmbd = 64;
  const layers = 5;
  const bScale = options.bScale ?? 0.5;
  const tensors = [];
  for (let layer = 0; layer < layers; layer++) {
    const seed = (options.seed ?? 1) * 1000 + layer * 2;
    tensors.push({ name: `blk.${layer}.attn_q.weight.lora_a`, type: GgmlType.F32, ne: [nEmbd, rank], data: xorshiftNoise(nEmbd * rank, seed + 1, 0.5) });
    tensors.push({ name: `blk.${layer}.attn_q.weight.lora_b`, type: GgmlType.F32, ne: [rank, nEmbd], data: xorshiftNoise(rank * nEmbd, seed + 2, bScale) });
  }
  await writeGguf(file, {
    metadata: {
      "general.architecture": gguf.str("llama"),
      "general.type": gguf.str("adapter"),
      "general.name": gguf.str("tiny test lora"),
      "adapter.type": gguf.str("lora"),
      "adapter.lora.alpha": gguf.f32(options.alpha ?? rank),
    },
    tensors,
  });
}
