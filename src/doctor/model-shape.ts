// The shape of a decoder-only transformer as the planner needs it (src/arch/shape.ts plus storage and naming), and the
// table of common sizes used when the user names no model file. Shape letters as in src/arch/shape.ts.
import { attentionWidths, type DecoderShape } from "../arch/shape.js";

export { attentionWidths };

/** What the planner needs to know about a model: its shape, biases and how its weights are stored. */
export interface ModelShape extends DecoderShape {
  /** Display name (file name or table entry). */
  name: string;
  /** Where the numbers come from: the GGUF path, or the config.json they were copied from. */
  source: string;
  /** Q, K and V projections carry biases (Qwen2 does, LLaMA does not). */
  qkvBias: boolean;
  /** Storage type of the large matrices as ggml names it ("f32", "f16", "q4_K", ...). */
  weightType: string;
  /** Bytes of all tensors as stored in the file (for table entries: F16 storage of every parameter). */
  weightBytes: number;
  /** Every parameter, counted once (tied embeddings once). */
  totalParams: number;
}

/** Weights of the seven projection matrices of one block: wq [E, HD], wk/wv [E, KD], wo [HD, E], gate/up [E, F], down [F, E]. */
export function layerMatmulParams(s: ModelShape): number {
  const { qDim, kvDim } = attentionWidths(s);
  return s.nEmbd * qDim + 2 * s.nEmbd * kvDim + qDim * s.nEmbd + 3 * s.nEmbd * s.nFf;
}

/** Parameters outside the matrices of one block: two RMSNorm weight vectors, plus Q/K/V biases where present. */
export function layerOtherParams(s: ModelShape): number {
  const { qDim, kvDim } = attentionWidths(s);
  return 2 * s.nEmbd + (s.qkvBias ? qDim + 2 * kvDim : 0);
}

/** Every parameter from the shape: blocks, token_embd [E, V], output [E, V] unless tied, output_norm [E]. */
export function countParams(s: Omit<ModelShape, "totalParams" | "weightBytes">): number {
  const shape = s as ModelShape;
  const blocks = s.nLayer * (layerMatmulParams(shape) + layerOtherParams(shape));
  const embeddings = s.nVocab * s.nEmbd * (s.tiedEmbeddings ? 1 : 2);
  return blocks + embeddings + s.nEmbd;
}

/** Parameters that a token's forward pass multiplies with: every block matrix and the output head (the embedding
 *  lookup costs no multiply). This is the N of the 2N / 4N / 6N FLOP rules (a parameter count, not the legend's N). */
export function matmulParamsPerToken(s: ModelShape): number {
  return s.nLayer * layerMatmulParams(s) + s.nVocab * s.nEmbd;
}

type TableShape = Omit<ModelShape, "totalParams" | "weightBytes" | "weightType">;

/** Builds a table entry stored as F16 (how Hugging Face checkpoints are usually converted to GGUF). */
function tableEntry(shape: TableShape): ModelShape {
  const totalParams = countParams({ ...shape, weightType: "f16" });
  return { ...shape, weightType: "f16", weightBytes: 2 * totalParams, totalParams };
}

/** Common open models from 0.1B to 8B; each field copied from the model's config.json on Hugging Face. */
export const KNOWN_MODEL_SHAPES: Readonly<Record<string, ModelShape>> = {
  "smollm2-135m": tableEntry({
    name: "SmolLM2-135M",
    source: "https://huggingface.co/HuggingFaceTB/SmolLM2-135M/blob/main/config.json",
    arch: "llama",
    nLayer: 30, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, headDim: 64, nVocab: 49152, nCtxTrain: 8192,
    tiedEmbeddings: true, qkvBias: false,
  }),
  "qwen2.5-0.5b": tableEntry({
    name: "Qwen2.5-0.5B",
    source: "https://huggingface.co/Qwen/Qwen2.5-0.5B/blob/main/config.json",
    arch: "qwen2",
    nLayer: 24, nEmbd: 896, nFf: 4864, nHead: 14, nHeadKv: 2, headDim: 64, nVocab: 151936, nCtxTrain: 32768,
    tiedEmbeddings: true, qkvBias: true,
  }),
  "llama-3.2-1b": tableEntry({
    name: "Llama-3.2-1B",
    source: "https://huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json",
    arch: "llama",
    nLayer: 16, nEmbd: 2048, nFf: 8192, nHead: 32, nHeadKv: 8, headDim: 64, nVocab: 128256, nCtxTrain: 131072,
    tiedEmbeddings: true, qkvBias: false,
  }),
  "qwen2.5-3b": tableEntry({
    name: "Qwen2.5-3B",
    source: "https://huggingface.co/Qwen/Qwen2.5-3B/blob/main/config.json",
    arch: "qwen2",
    nLayer: 36, nEmbd: 2048, nFf: 11008, nHead: 16, nHeadKv: 2, headDim: 128, nVocab: 151936, nCtxTrain: 32768,
    tiedEmbeddings: true, qkvBias: true,
  }),
  "llama-3.1-8b": tableEntry({
    name: "Llama-3.1-8B",
    source: "https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json",
    arch: "llama",
    nLayer: 32, nEmbd: 4096, nFf: 14336, nHead: 32, nHeadKv: 8, headDim: 128, nVocab: 128256, nCtxTrain: 131072,
    tiedEmbeddings: false, qkvBias: false,
  }),
};
