// Hyper-parameters of a llama-family decoder, read from GGUF metadata under the `<arch>.` prefix (llama.cpp's keys).
import { UnsupportedArchitectureError } from "../errors.js";
import type { GgufMetadata, GgufTensorInfo } from "../formats/gguf/index.js";

export const ROPE_MODE = { normal: 0, neox: 2 } as const;

/** Everything the graph builder needs to know about a model's shape. Letters used in shape comments are in brackets. */
export interface ModelHparams {
  /** `general.architecture`. */
  arch: string;
  /** Layers. */
  nLayer: number;
  /** Embedding width [E]. */
  nEmbd: number;
  /** Feed-forward width [F]. */
  nFf: number;
  /** Query heads [H]. */
  nHead: number;
  /** Key/value heads [K] (GQA when < nHead). */
  nHeadKv: number;
  /** Width of one head [D] (`attention.key_length`, else E / H). */
  headDim: number;
  /** Vocabulary size [V]. */
  nVocab: number;
  /** Context length the model was trained with. */
  nCtxTrain: number;
  /** RMSNorm epsilon. */
  normEps: number;
  /** RoPE base frequency. */
  ropeFreqBase: number;
  /** RoPE frequency scale (1 / linear scaling factor). */
  ropeFreqScale: number;
  /** Dimensions of each head that RoPE rotates. */
  ropeDims: number;
  /** RoPE layout: normal (llama) or neox (qwen2, qwen3). */
  ropeMode: number;
  /** Original training context for RoPE scaling. */
  ropeCtxOrig: number;
  /** The output head reuses token_embd.weight (no output.weight tensor). */
  tiedEmbeddings: boolean;
}

/** Reads hyper-parameters; `ropeMode` comes from the architecture (llama.cpp's llama_model_rope_type). */
export function readHparams(meta: GgufMetadata, tensors: readonly GgufTensorInfo[], ropeMode: number): ModelHparams {
  const arch = meta.getString("general.architecture");
  const key = (name: string) => `${arch}.${name}`;
  const nEmbd = meta.getInt(key("embedding_length"));
  const nHead = meta.getInt(key("attention.head_count"));
  const headDim = meta.getInt(key("attention.key_length"), Math.floor(nEmbd / nHead));
  const embd = tensors.find((t) => t.name === "token_embd.weight");
  const nVocab = meta.getInt(key("vocab_size"), undefined) ?? meta.getStringArray("tokenizer.ggml.tokens", undefined)?.length ?? embd?.ne[1] ?? 0;
  const scalingType = meta.getString(key("rope.scaling.type"), "none");
  const scalingFactor = meta.getFloat(key("rope.scaling.factor"), 0) || meta.getFloat(key("rope.scale_linear"), 0);
  if (scalingType !== "none" && scalingType !== "linear" && !(scalingType === "yarn" && scalingFactor <= 1)) {
    throw new UnsupportedArchitectureError(`${arch} with rope scaling "${scalingType}"`, [`${arch} with rope scaling none or linear`]);
  }
  const nCtxTrain = meta.getInt(key("context_length"));
  return {
    arch,
    nLayer: meta.getInt(key("block_count")),
    nEmbd,
    nFf: meta.getInt(key("feed_forward_length")),
    nHead,
    nHeadKv: meta.getInt(key("attention.head_count_kv"), nHead),
    headDim,
    nVocab,
    nCtxTrain,
    normEps: meta.getFloat(key("attention.layer_norm_rms_epsilon")),
    ropeFreqBase: meta.getFloat(key("rope.freq_base"), 10000),
    ropeFreqScale: scalingFactor > 0 && scalingType !== "yarn" ? 1 / scalingFactor : 1,
    ropeDims: meta.getInt(key("rope.dimension_count"), headDim),
    ropeMode,
    ropeCtxOrig: meta.getInt(key("rope.scaling.original_context_length"), nCtxTrain),
    tiedEmbeddings: !tensors.some((t) => t.name === "output.weight"),
  };
}
