// Shape letters: L layers, E embedding width, F feed-forward width, H query heads, K key/value heads, D head width,
// V vocabulary; T tokens per sequence, B sequences per micro-batch, N = T * B tokens, P positions before the sequence
// (virtual tokens, prefixes, KV cache), R selected output rows. Every shape comment in the project uses these letters.
//
// The shape of a llama-family decoder, declared once: the engine and the graph builder (through ModelHparams), the
// memory plan, the doctor (through its ModelShape) and the random-model writer all read the sizes from this type.

/** The sizes of a decoder-only transformer, with their letter in brackets. */
export interface DecoderShape {
  /** `general.architecture` (llama, qwen2, qwen3, ...). */
  arch: string;
  /** Transformer blocks [L]. */
  nLayer: number;
  /** Embedding (residual stream) width [E]. */
  nEmbd: number;
  /** Feed-forward (SwiGLU) inner width [F]. */
  nFf: number;
  /** Query heads [H]. */
  nHead: number;
  /** Key/value heads [K] (grouped-query attention when < H). */
  nHeadKv: number;
  /** Width of one head [D] (`attention.key_length`, else E / H; qwen3 uses 128 regardless). */
  headDim: number;
  /** Vocabulary size [V] (rows of token_embd). */
  nVocab: number;
  /** Context length the model was trained with (`context_length`). */
  nCtxTrain: number;
  /** The output head reuses token_embd.weight (no output.weight tensor). */
  tiedEmbeddings: boolean;
}

/** Widths of one block's attention projections: queries H * D, keys and values K * D each. */
export function attentionWidths(s: DecoderShape): { qDim: number; kvDim: number } {
  return { qDim: s.nHead * s.headDim, kvDim: s.nHeadKv * s.headDim };
}
