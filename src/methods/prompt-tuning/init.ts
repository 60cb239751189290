// Initial values of the virtual tokens: rows of the model's own token embedding matrix, either those of an init
// text's tokens (repeated or cut to N) or of random ordinary vocabulary tokens (Lester et al. sample vocabulary rows).
import type { EngineModel } from "../../engine/model.js";
import { InvalidConfigError, ShapeError } from "../../errors.js";
import { dequantize, rowBytes, type GgmlType } from "../../formats/gguf/index.js";
import { tensorShape } from "../../native/ggml-bindings.js";
import { loadLlamaModel } from "../../native/llama-runtime.js";

/** GGUF token type of ordinary text tokens (llama.cpp's LLAMA_TOKEN_TYPE_NORMAL). */
const TOKEN_TYPE_NORMAL = 1;

/** Token ids of `text` by the model's own tokenizer (node-llama-cpp, vocabulary only), without BOS. */
export async function tokenizeInitText(modelPath: string, text: string): Promise<number[]> {
  const vocab = await loadLlamaModel(modelPath, { vocabOnly: true });
  try {
    const ids = vocab.tokenize(text.normalize("NFC")) as number[];
    if (ids.length === 0) {
      throw new InvalidConfigError({
        en: `--init-text "${text}" gives no tokens with this model's tokenizer; give a non-empty text`,
        ko: `--init-text "${text}"이(가) 이 모델의 토크나이저로 토큰을 하나도 만들지 않습니다. 비어 있지 않은 텍스트를 주세요`,
      });
    }
    return ids;
  } finally {
    await vocab.dispose();
  }
}

/** `ids` repeated and cut to exactly `n` entries. */
export function fitToCount(ids: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => ids[i % ids.length]!);
}

/** `n` distinct ordinary (non-control, non-byte) token ids drawn with `random`; repeats only when the vocabulary is smaller than n. */
export function randomVocabularyIds(model: EngineModel, n: number, random: () => number): number[] {
  const types = model.file.getI32Array("tokenizer.ggml.token_type", undefined);
  const V = model.hparams.nVocab;
  const pool = Array.from({ length: V }, (_, i) => i).filter((i) => types === undefined || types[i] === TOKEN_TYPE_NORMAL);
  const candidates = pool.length > 0 ? pool : Array.from({ length: V }, (_, i) => i);
  // Partial Fisher-Yates shuffle: the first m entries become a uniform sample without replacement.
  const m = Math.min(n, candidates.length);
  for (let k = 0; k < m; k++) {
    const j = k + Math.floor(random() * (candidates.length - k));
    [candidates[k], candidates[j]] = [candidates[j]!, candidates[k]!];
  }
  return fitToCount(candidates.slice(0, m), n);
}

/** Rows `ids` of token_embd.weight as F32 [E, ids.length], read from the model's backend and dequantized row by row. */
export function embeddingRows(model: EngineModel, ids: readonly number[]): Float32Array {
  const { api, hparams } = model;
  const E = hparams.nEmbd;
  const weight = model.weights.get("token_embd.weight");
  if (weight === undefined) throw new ShapeError("the model has no token_embd.weight");
  const type = tensorShape(weight).type as GgmlType;
  const bytesPerRow = rowBytes(type, E);
  const row = new Uint8Array(bytesPerRow);
  const out = new Float32Array(E * ids.length);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= hparams.nVocab) {
      throw new InvalidConfigError({
        en: `init token id ${id} is outside the vocabulary [0, ${hparams.nVocab})`,
        ko: `초기화 토큰 id ${id}이(가) 어휘 범위 [0, ${hparams.nVocab}) 밖입니다`,
      });
    }
    // Only the needed rows leave the backend (a large vocabulary's matrix is not copied whole).
    api.ggml_backend_tensor_get(weight, row, id * bytesPerRow, bytesPerRow);
    out.set(dequantize(type, row, E), i * E);
  });
  return out;
}
