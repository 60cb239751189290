// Hyper-parameters of a llama-family decoder, read from GGUF metadata under the `<arch>.` prefix (llama.cpp's keys),
// and checked before anything uses them: a block count or RoPE width that ggml cannot work with would otherwise
// abort the process, spin in a kernel or allocate without end, and a NaN epsilon would only show up as NaN results.
import { GgufFormatError, UnsupportedArchitectureError } from "../errors.js";
import type { GgufMetadata, GgufTensorInfo } from "../formats/gguf/index.js";
import type { DecoderShape } from "./shape.js";
import type { ArchDefinition, ArchMetadata, SlidingWindow } from "./types.js";

export const ROPE_MODE = { normal: 0, neox: 2 } as const;

/** Everything the graph builder needs to know about a model: its shape (shape.ts) and its norm and RoPE constants. */
export interface ModelHparams extends DecoderShape {
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
  /** RoPE magnitude factor (`rope.scaling.attn_factor`, Phi-3.5's LongRoPE; 1 elsewhere). */
  ropeAttnFactor: number;
  /** Scale of the attention scores before the softmax (1 / sqrt(D) unless the architecture says otherwise). */
  attentionScale: number;
  /** Final logits become c * tanh(logits / c) (`final_logit_softcapping`); 0 for none. */
  finalLogitSoftcap: number;
  /** Sliding-window layers, when the model has them. */
  slidingWindow?: SlidingWindow;
}

/** Reads hyper-parameters as llama.cpp's loader of `definition` does (RoPE layout, sliding windows, attention scale). */
export function readHparams(meta: GgufMetadata, tensors: readonly GgufTensorInfo[], definition: ArchDefinition): ModelHparams {
  const arch = meta.getString("general.architecture");
  const key = (name: string) => `${arch}.${name}`;
  const nEmbd = meta.getU32(key("embedding_length"));
  const nHead = meta.getU32(key("attention.head_count"));
  const headDim = meta.getU32(key("attention.key_length"), Math.floor(nEmbd / nHead));
  const embd = tensors.find((t) => t.name === "token_embd.weight");
  const nVocab = meta.getU32(key("vocab_size"), undefined) ?? meta.getStringArray("tokenizer.ggml.tokens", undefined)?.length ?? embd?.ne[1] ?? 0;
  const scalingType = meta.getString(key("rope.scaling.type"), "none");
  // Keys are read with llama.cpp's exact types (uint32 sizes, float32 floats): it refuses a file that uses others.
  // llama.cpp reads rope.scaling.factor, else the older rope.scale_linear; 0 means no scaling.
  const factorKey = meta.getF32(key("rope.scaling.factor"), 0) !== 0 ? "rope.scaling.factor" : "rope.scale_linear";
  const scalingFactor = meta.getF32(key(factorKey), 0);
  if (!Number.isFinite(scalingFactor) || scalingFactor < 0) {
    throw new GgufFormatError(meta.file, key(factorKey), { en: `${scalingFactor} must be a finite number, 0 (no scaling) or above`, ko: `${scalingFactor}: 0(스케일링 없음) 이상의 유한한 수여야 합니다` });
  }
  if (scalingType !== "none" && scalingType !== "linear" && !(scalingType === "yarn" && scalingFactor <= 1)) {
    throw new UnsupportedArchitectureError(`${arch} with rope scaling "${scalingType}"`, [`${arch} with rope scaling none or linear`]);
  }
  const nCtxTrain = meta.getU32(key("context_length"));
  // The decoder gives values the key width; llama.cpp reads value_length and refuses a model where it does not fit.
  const valueLength = meta.getU32(key("attention.value_length"), headDim);
  if (valueLength !== headDim) {
    throw new GgufFormatError(meta.file, key("attention.value_length"), { en: `${valueLength}, but the heads are ${headDim} wide; localtune's engine needs values as wide as keys`, ko: `${valueLength}이지만 헤드 폭은 ${headDim}입니다. localtune 엔진은 값과 키의 폭이 같아야 합니다` });
  }
  const hp: ModelHparams = {
    arch,
    nLayer: meta.getU32(key("block_count")),
    nEmbd,
    nFf: meta.getU32(key("feed_forward_length")),
    nHead,
    nHeadKv: meta.getU32(key("attention.head_count_kv"), nHead),
    headDim,
    nVocab,
    nCtxTrain,
    normEps: meta.getF32(key("attention.layer_norm_rms_epsilon")),
    ropeFreqBase: meta.getF32(key("rope.freq_base"), 10000),
    ropeFreqScale: scalingFactor > 0 && scalingType !== "yarn" ? 1 / scalingFactor : 1,
    ropeDims: meta.getU32(key("rope.dimension_count"), headDim),
    ropeMode: definition.ropeMode,
    ropeCtxOrig: meta.getU32(key("rope.scaling.original_context_length"), nCtxTrain),
    tiedEmbeddings: !tensors.some((t) => t.name === "output.weight"),
    ropeAttnFactor: meta.getF32(key("rope.scaling.attn_factor"), 1),
    attentionScale: 1 / Math.sqrt(headDim),
    finalLogitSoftcap: meta.getF32(key("final_logit_softcapping"), 0),
  };
  hp.attentionScale = definition.attentionScale?.(hp) ?? hp.attentionScale;
  // llama.cpp's get_key_or_arr skips an array where the loader wants one number (exaone4's per-layer pattern).
  const scalar = (name: string) => meta.get(key(name))?.type !== "array";
  const archMeta: ArchMetadata = {
    u32: (name) => (scalar(name) ? meta.getU32(key(name), undefined) : undefined),
    f32: (name) => (scalar(name) ? meta.getF32(key(name), undefined) : undefined),
  };
  const window = definition.slidingWindow?.(archMeta, hp);
  if (window) hp.slidingWindow = window;
  checkHparams(meta.file, hp, tensors, definition);
  return hp;
}

/** Blocks that have tensors in the file: one more than the highest `blk.N.` index, 0 when there is none. */
export function blocksWithTensors(tensors: readonly GgufTensorInfo[]): number {
  let blocks = 0;
  for (const t of tensors) {
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (m) blocks = Math.max(blocks, Number(m[1]) + 1);
  }
  return blocks;
}

/**
 * Every value the graph depends on is in the range llama.cpp and ggml accept: sizes are positive integers, the
 * block count agrees with the tensors (llama.cpp refuses a file with tensors it does not use or lacks), RoPE rotates
 * an even number of dimensions in (0, head width], and epsilon and RoPE frequencies are finite and positive.
 */
function checkHparams(file: string, hp: ModelHparams, tensors: readonly GgufTensorInfo[], definition: ArchDefinition): void {
  const key = (name: string) => `${hp.arch}.${name}`;
  const bad = (name: string, en: string, ko: string): never => {
    throw new GgufFormatError(file, key(name), { en, ko });
  };
  const sizes: Array<[string, number]> = [
    ["embedding_length", hp.nEmbd],
    ["feed_forward_length", hp.nFf],
    ["attention.head_count", hp.nHead],
    ["attention.head_count_kv", hp.nHeadKv],
    ["attention.key_length", hp.headDim],
    ["vocab_size", hp.nVocab],
    ["context_length", hp.nCtxTrain],
    ["rope.scaling.original_context_length", hp.ropeCtxOrig],
  ];
  for (const [name, value] of sizes) {
    if (!Number.isSafeInteger(value) || value < 1) bad(name, `${value} must be a positive integer`, `${value}: 양의 정수여야 합니다`);
  }
  const blocks = blocksWithTensors(tensors);
  if (!Number.isSafeInteger(hp.nLayer) || hp.nLayer < 1 || hp.nLayer !== blocks) {
    bad(
      "block_count",
      `${hp.nLayer} does not match the ${blocks} blocks the file has tensors for (blk.0 to blk.${blocks - 1}); llama.cpp refuses such a file too`,
      `${hp.nLayer}이(가) 파일에 텐서가 있는 블록 수 ${blocks}(blk.0 ~ blk.${blocks - 1})와 맞지 않습니다. llama.cpp도 이런 파일을 거부합니다`,
    );
  }
  if (hp.nHead % hp.nHeadKv !== 0) {
    bad("attention.head_count_kv", `${hp.nHead} query heads are not a multiple of ${hp.nHeadKv} kv heads`, `질의 헤드 ${hp.nHead}개가 kv 헤드 ${hp.nHeadKv}개의 배수가 아닙니다`);
  }
  // llama.cpp rotates whole heads for most architectures and refuses any other count ("invalid n_rot"); phi3 may
  // rotate part of each head.
  if (definition.partialRotary) {
    if (!Number.isSafeInteger(hp.ropeDims) || hp.ropeDims < 2 || hp.ropeDims > hp.headDim || hp.ropeDims % 2 !== 0) {
      bad("rope.dimension_count", `${hp.ropeDims} must be an even number from 2 to the head width ${hp.headDim}`, `${hp.ropeDims}: 2부터 헤드 폭 ${hp.headDim}까지의 짝수여야 합니다`);
    }
  } else if (hp.ropeDims !== hp.headDim || hp.ropeDims % 2 !== 0) {
    bad("rope.dimension_count", `${hp.ropeDims} must be the head width ${hp.headDim} (an even number)`, `${hp.ropeDims}: 헤드 폭 ${hp.headDim}(짝수)와 같아야 합니다`);
  }
  const positive: Array<[string, number]> = [
    ["attention.layer_norm_rms_epsilon", hp.normEps],
    ["rope.freq_base", hp.ropeFreqBase],
    ["rope.scaling.attn_factor", hp.ropeAttnFactor],
    ...(hp.slidingWindow ? ([["rope.freq_base_swa", hp.slidingWindow.ropeFreqBase]] as Array<[string, number]>) : []),
  ];
  if (!Number.isFinite(hp.finalLogitSoftcap) || hp.finalLogitSoftcap < 0) {
    bad("final_logit_softcapping", `${hp.finalLogitSoftcap} must be 0 (none) or a finite number above 0`, `${hp.finalLogitSoftcap}: 0(없음) 또는 0보다 큰 유한한 수여야 합니다`);
  }
  if (hp.slidingWindow && (!Number.isSafeInteger(hp.slidingWindow.width) || hp.slidingWindow.width < 1)) {
    bad("attention.sliding_window", `${hp.slidingWindow.width} must be a positive integer`, `${hp.slidingWindow.width}: 양의 정수여야 합니다`);
  }
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) bad(name, `${value} must be a finite number above 0`, `${value}: 0보다 큰 유한한 수여야 합니다`);
  }
}
