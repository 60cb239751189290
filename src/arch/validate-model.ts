// Load-time checks of a GGUF model against what our engine's graph (and llama.cpp) can run: every tensor the
// architecture needs with the shape the hyper-parameters imply and a type ggml can compute with, a tokenizer our
// tokenization path knows, and finite float weights. Anything that passes cannot trip a GGML_ASSERT while the graph
// is built or run; test/gguf-fuzz.test.ts and `npm run fuzz` hold that claim against mutated files.
import { GgufFormatError } from "../errors.js";
import { GgmlType, type GgufFile, type GgufTensorInfo } from "../formats/gguf/index.js";
import { ggmlTypeInfo, ggmlTypeName } from "../formats/tensor-types.js";
import type { ModelHparams } from "./hparams.js";
import { decoderTensorSpecs, type ArchDefinition, type TensorSpec } from "./types.js";

/**
 * Tokenizer models our tokenization (node-llama-cpp's llama.cpp build) handles for llama-family decoders:
 * SentencePiece ("llama") and byte-level BPE ("gpt2"). llama.cpp aborts on others with a llama vocabulary (a
 * "bert" WordPiece model needs [CLS]/[SEP] tokens; "none" has no tokenizer at all).
 */
export const TOKENIZER_MODELS: readonly string[] = ["llama", "gpt2"];

/** Checks the tensors against the architecture; `hp` comes from readHparams (already range-checked). */
export function validateModelTensors(file: GgufFile, arch: ArchDefinition, hp: ModelHparams): void {
  // rope_freqs.weight (llama 3.1's per-dimension RoPE factors) is read by the decoder when present.
  const specs: TensorSpec[] = [...decoderTensorSpecs(arch, hp), { name: "rope_freqs.weight", ne: [hp.ropeDims / 2], optional: true, role: "rope" }];
  const known = new Set(specs.map((s) => s.name));
  // llama.cpp refuses a file with tensors it does not use ("wrong number of tensors"): a block beyond block_count
  // (checked in hparams) or a name no architecture has would be ignored here and change nothing, silently.
  const extra = file.tensors.filter((t) => !known.has(t.name)).map((t) => t.name);
  if (extra.length > 0) {
    const shown = extra.slice(0, 5).join(", ") + (extra.length > 5 ? ` (+${extra.length - 5} more)` : "");
    throw new GgufFormatError(file.file, "tensors", { en: `${shown}: not part of a ${arch.name} model of this shape`, ko: `${shown}: 이 모양의 ${arch.name} 모델에 속하지 않는 텐서입니다` });
  }
  for (const spec of specs) {
    const info = file.findTensor(spec.name);
    if (!info) {
      if (spec.optional) continue;
      throw new GgufFormatError(file.file, `tensor "${spec.name}"`, { en: `missing: a ${arch.name} model of this shape needs it`, ko: `없습니다: 이 모양의 ${arch.name} 모델에 필요합니다` });
    }
    const ne = [...info.ne];
    while (ne.length < spec.ne.length) ne.push(1);
    if (ne.join(",") !== spec.ne.join(",")) {
      throw new GgufFormatError(file.file, `tensor "${spec.name}"`, {
        en: `shape [${info.ne.join(", ")}] does not match [${spec.ne.join(", ")}] from the metadata`,
        ko: `모양 [${info.ne.join(", ")}]이(가) 메타데이터로 정해지는 [${spec.ne.join(", ")}]와 다릅니다`,
      });
    }
    checkType(file, spec, info);
  }
}

/**
 * Norms and biases are added or multiplied element-wise, which ggml's CPU kernels do in F32 only (llama.cpp's
 * converters always write them so); matrices go through mul_mat or get_rows, which take F32, F16, BF16 and every
 * quantized type, but no integer type.
 */
function checkType(file: GgufFile, spec: TensorSpec, info: GgufTensorInfo): void {
  const elementWise = spec.role === "norm" || spec.role === "bias" || spec.role === "rope";
  const ok = elementWise ? info.type === GgmlType.F32 : info.type === GgmlType.F32 || info.type === GgmlType.F16 || info.type === GgmlType.BF16 || ggmlTypeInfo(info.type).quantized;
  if (ok) return;
  const expected = elementWise ? "F32" : "F32, F16, BF16 or a quantized type";
  throw new GgufFormatError(file.file, `tensor "${spec.name}"`, { en: `type ${ggmlTypeName(info.type)}, expected ${expected}`, ko: `타입이 ${ggmlTypeName(info.type)}입니다. ${expected}여야 합니다` });
}

/**
 * The tokenizer metadata: a known tokenizer model, and token, score and type arrays of one length equal to the
 * vocabulary the embeddings have. `required`: the caller tokenizes text (a model without a tokenizer is otherwise
 * fine for the engine: synthetic test models have none).
 */
export function validateTokenizer(file: GgufFile, hp: ModelHparams, required: boolean): void {
  const bad = (field: string, en: string, ko: string): never => {
    throw new GgufFormatError(file.file, field, { en, ko });
  };
  const model = file.getString("tokenizer.ggml.model", undefined);
  if (model === undefined) {
    if (required) bad("tokenizer.ggml.model", "missing: this model has no tokenizer, so it cannot read text", "없습니다: 이 모델에는 토크나이저가 없어 텍스트를 읽을 수 없습니다");
    return;
  }
  if (!TOKENIZER_MODELS.includes(model)) {
    bad("tokenizer.ggml.model", `"${model}" is not a tokenizer of llama-family models (expected ${TOKENIZER_MODELS.join(" or ")})`, `"${model}"은(는) llama 계열 모델의 토크나이저가 아닙니다 (${TOKENIZER_MODELS.join(" 또는 ")}이어야 합니다)`);
  }
  const texts = file.getStringArray("tokenizer.ggml.tokens");
  const tokens = texts.length;
  // llama.cpp asserts one id per token text (a map from text to id), and reads a BYTE token's hex digits by position.
  const seen = new Map<string, number>();
  for (let id = 0; id < tokens; id++) {
    const earlier = seen.get(texts[id]!);
    if (earlier !== undefined) bad("tokenizer.ggml.tokens", `tokens ${earlier} and ${id} are both ${JSON.stringify(texts[id])}; every token text must be unique`, `토큰 ${earlier}과(와) ${id}이(가) 모두 ${JSON.stringify(texts[id])}입니다. 토큰 텍스트는 모두 달라야 합니다`);
    seen.set(texts[id]!, id);
  }
  const types = file.getI32Array("tokenizer.ggml.token_type", undefined);
  const BYTE = 6;
  types?.forEach((type, id) => {
    if (type === BYTE && !/^<0x[0-9A-Fa-f]{2}>$/.test(texts[id] ?? "")) {
      bad("tokenizer.ggml.token_type", `token ${id} ${JSON.stringify(texts[id])} is typed as a byte but is not written <0xXX>`, `토큰 ${id} ${JSON.stringify(texts[id])}은(는) 바이트 타입이지만 <0xXX> 형식이 아닙니다`);
    }
  });
  if (tokens !== hp.nVocab) {
    bad("tokenizer.ggml.tokens", `${tokens} tokens, but the embeddings have ${hp.nVocab} rows`, `토큰이 ${tokens}개이지만 임베딩의 행은 ${hp.nVocab}개입니다`);
  }
  for (const key of ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
    const value = file.get(key);
    if (value === undefined) continue;
    const length = value.type === "array" ? value.value.items.length : -1;
    if (length !== tokens) bad(key, `${value.type === "array" ? `${length} entries` : `a ${value.type}`}, expected an array of ${tokens} (one per token)`, `${value.type === "array" ? `항목 ${length}개` : value.type}: 토큰마다 하나씩 ${tokens}개의 배열이어야 합니다`);
  }
  if (model === "llama") {
    // SentencePiece scores rank merges; a NaN score makes llama.cpp's tokenizer order undefined.
    const scores = file.getF32Array("tokenizer.ggml.scores", undefined);
    if (scores?.some((s) => !Number.isFinite(s))) bad("tokenizer.ggml.scores", "a score is NaN or infinite", "점수 중에 NaN이나 무한대가 있습니다");
  }
}

/**
 * Throws when float weights (F32, F16, BF16) hold NaN or an infinity: one such value turns every later activation
 * into NaN. A full pass over the bytes read at load (cheap beside the read itself). Quantized weights are not
 * decoded here; a non-finite scale in them surfaces as a non-finite result, which every result check refuses.
 */
export function checkFiniteWeights(file: string, info: GgufTensorInfo, bytes: Uint8Array): void {
  const at = firstNonFinite(info.type, bytes);
  if (at < 0) return;
  throw new GgufFormatError(file, `tensor "${info.name}"`, {
    en: `element ${at} is NaN or infinite; the weights are damaged`,
    ko: `${at}번째 원소가 NaN이거나 무한대입니다. 가중치가 손상되었습니다`,
  });
}

function firstNonFinite(type: GgmlType, bytes: Uint8Array): number {
  if (type === GgmlType.F32) {
    // Exponent bits all ones is NaN or ±Inf: integer tests, no float conversion. Unaligned views are copied.
    const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : new Uint32Array(bytes.slice().buffer);
    for (let i = 0; i < words.length; i++) if ((words[i]! & 0x7f800000) === 0x7f800000) return i;
    return -1;
  }
  if (type === GgmlType.F16 || type === GgmlType.BF16) {
    const mask = type === GgmlType.F16 ? 0x7c00 : 0x7f80;
    const halves = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2) : new Uint16Array(bytes.slice().buffer);
    for (let i = 0; i < halves.length; i++) if ((halves[i]! & mask) === mask) return i;
    return -1;
  }
  return -1;
}
