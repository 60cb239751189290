// Writes a random-weight GGUF model of a supported architecture with a real tokenizer vocabulary: the test and
// benchmark models that both node-llama-cpp and our engine load (parity tests, throughput at realistic shapes).
import { GgmlType, gguf, readGguf, writeGguf, type GgufTensorInput, type GgufValue } from "../formats/gguf/index.js";
import { readHparams, type ModelHparams } from "../arch/hparams.js";
import { findArchitecture } from "../arch/registry.js";
import type { DecoderShape } from "../arch/shape.js";
import { decoderTensorSpecs } from "../arch/types.js";
import { encodeTensor } from "./quantize.js";
import { randomNormal, seededRandom } from "./random.js";

/** The shape to write: arch, L, E, F, H and K are required; D defaults to E / H, the training context to 2048, tied
 *  embeddings to false, and V comes from the vocabulary file (else `nVocab`, for a tokenizer-less engine-only model). */
export interface RandomModelOptions
  extends Pick<DecoderShape, "arch" | "nLayer" | "nEmbd" | "nFf" | "nHead" | "nHeadKv">,
    Partial<Pick<DecoderShape, "headDim" | "nVocab" | "nCtxTrain" | "tiedEmbeddings">> {
  /** A GGUF holding `tokenizer.*` metadata (llama.cpp's models/ggml-vocab-*.gguf); its vocabulary sets V. */
  vocabFile?: string;
  /** Type of the 2-D projection and embedding weights; norms and biases stay F32. Default F32. */
  weightType?: GgmlType;
  /** Seed of the random weights. Default 1. */
  seed?: number;
  /**
   * Sliding-window attention metadata (`attention.sliding_window`, `attention.sliding_window_pattern`,
   * `rope.freq_base_swa`), read by architectures that have windowed layers (gemma3).
   */
  slidingWindow?: { width: number; pattern: number; ropeFreqBase: number };
}

export async function writeRandomModel(path: string, options: RandomModelOptions): Promise<ModelHparams> {
  const arch = findArchitecture(options.arch);
  const metadata = new Map<string, GgufValue>();
  let nVocab = options.nVocab ?? 0;
  if (options.vocabFile) {
    const vocab = readGguf(options.vocabFile);
    for (const [key, value] of vocab.metadata) if (key.startsWith("tokenizer.")) metadata.set(key, value);
    nVocab = vocab.getStringArray("tokenizer.ggml.tokens").length;
  }
  if (nVocab < 1) throw new Error("writeRandomModel needs vocabFile or nVocab");
  const headDim = options.headDim ?? options.nEmbd / options.nHead;
  const nCtx = options.nCtxTrain ?? 2048;
  const hp: DecoderShape & { normEps: number; ropeFreqBase: number } = {
    arch: arch.name,
    nLayer: options.nLayer,
    nEmbd: options.nEmbd,
    nFf: options.nFf,
    nHead: options.nHead,
    nHeadKv: options.nHeadKv,
    headDim,
    nVocab,
    nCtxTrain: nCtx,
    normEps: Math.fround(1e-6),
    ropeFreqBase: 10000,
    tiedEmbeddings: options.tiedEmbeddings ?? false,
  };
  const k = (name: string) => `${arch.name}.${name}`;
  metadata.set("general.architecture", gguf.str(arch.name));
  metadata.set("general.name", gguf.str(`random ${arch.name} ${options.nLayer}x${options.nEmbd}`));
  metadata.set(k("context_length"), gguf.u32(nCtx));
  metadata.set(k("embedding_length"), gguf.u32(options.nEmbd));
  metadata.set(k("block_count"), gguf.u32(options.nLayer));
  metadata.set(k("feed_forward_length"), gguf.u32(options.nFf));
  metadata.set(k("attention.head_count"), gguf.u32(options.nHead));
  metadata.set(k("attention.head_count_kv"), gguf.u32(options.nHeadKv));
  metadata.set(k("attention.key_length"), gguf.u32(headDim));
  metadata.set(k("attention.value_length"), gguf.u32(headDim));
  metadata.set(k("attention.layer_norm_rms_epsilon"), gguf.f32(hp.normEps));
  metadata.set(k("rope.freq_base"), gguf.f32(hp.ropeFreqBase));
  metadata.set(k("rope.dimension_count"), gguf.u32(headDim));
  metadata.set(k("vocab_size"), gguf.u32(nVocab));
  if (options.slidingWindow) {
    metadata.set(k("attention.sliding_window"), gguf.u32(options.slidingWindow.width));
    metadata.set(k("attention.sliding_window_pattern"), gguf.u32(options.slidingWindow.pattern));
    metadata.set(k("rope.freq_base_swa"), gguf.f32(options.slidingWindow.ropeFreqBase));
  }

  const random = seededRandom(options.seed ?? 1);
  const weightType = options.weightType ?? GgmlType.F32;
  const tensors: GgufTensorInput[] = [];
  for (const spec of decoderTensorSpecs(arch, hp)) {
    // Optional biases are the architecture's, not the random model's (a merged BitFit model has them).
    if ((spec.name === "output.weight" && hp.tiedEmbeddings) || (spec.optional && spec.role === "bias")) continue;
    const n = spec.ne.reduce((a, b) => a * b, 1);
    // Scales chosen so activations stay O(1) and logits spread over a useful range: parity tests then compare
    // distributions with real structure, not near-uniform ones.
    const values =
      spec.role === "norm" || spec.role === "rope" ? randomNormal(n, 0.1, random).map((v) => 1 + v)
      : spec.role === "bias" ? randomNormal(n, 0.1, random)
      : spec.role === "embedding" ? randomNormal(n, 1, random)
      : randomNormal(n, 1 / Math.sqrt(spec.ne[0]!), random);
    const type = spec.role === "norm" || spec.role === "bias" || spec.role === "rope" ? GgmlType.F32 : weightType;
    tensors.push({ name: spec.name, type, ne: spec.ne, data: await encodeTensor(type, values, spec.ne[0]!) });
  }
  await writeGguf(path, { metadata, tensors });
  const written = readGguf(path);
  return readHparams(written, written.tensors, arch);
}
