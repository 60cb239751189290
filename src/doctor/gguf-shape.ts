// Reads a model's shape from a GGUF file header through src/formats/gguf (tensor data is never read).
import path from "node:path";
import { GgufFormatError } from "../errors.js";
import { ggmlTypeName, readGguf } from "../formats/gguf/index.js";
import type { ModelShape } from "./model-shape.js";

/** The shape of the model in a GGUF file, from `<arch>.*` metadata and the tensor list. Missing keys and a missing
 *  token_embd raise GgufFormatError (from the reader's typed getters or here). */
export async function readGgufModelShape(file: string): Promise<ModelShape> {
  const gguf = readGguf(file);
  const arch = gguf.architecture;
  const embd = gguf.findTensor("token_embd.weight");
  if (!embd) {
    throw new GgufFormatError(file, "token_embd.weight", {
      en: "not a language model with token embeddings",
      ko: "토큰 임베딩이 있는 언어 모델이 아닙니다",
    });
  }
  const nEmbd = gguf.getInt(`${arch}.embedding_length`);
  const nHead = gguf.getInt(`${arch}.attention.head_count`);

  // The dominant storage type: the one holding the most bytes among matrices (norms are always F32).
  const bytesByType = new Map<number, number>();
  for (const t of gguf.tensors) {
    if (t.ne.length < 2) continue;
    bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.byteLength);
  }
  const dominant = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;

  return {
    name: path.basename(file),
    source: path.resolve(file),
    arch,
    nLayer: gguf.getInt(`${arch}.block_count`),
    nEmbd,
    nFf: gguf.getInt(`${arch}.feed_forward_length`),
    nHead,
    nHeadKv: gguf.getInt(`${arch}.attention.head_count_kv`, nHead),
    headDim: gguf.getInt(`${arch}.attention.key_length`, nEmbd / nHead),
    nVocab: embd.ne[1] ?? 0,
    nCtxTrain: gguf.getInt(`${arch}.context_length`),
    tiedEmbeddings: !gguf.findTensor("output.weight"),
    qkvBias: gguf.findTensor("blk.0.attn_q.bias") !== undefined,
    weightType: ggmlTypeName(dominant),
    weightBytes: gguf.tensors.reduce((n, t) => n + t.byteLength, 0),
    totalParams: gguf.tensors.reduce((n, t) => n + t.elementCount, 0),
  };
}
