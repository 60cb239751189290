// Reads a model's shape from a GGUF file header (no weights are read). Until src/formats/gguf exposes a header
// reader, node-llama-cpp's pure-JS readGgufFileInfo parses the header; only this file changes when ours lands.
import fs from "node:fs";
import path from "node:path";
import { GgmlType, readGgufFileInfo, type GgufTensorInfo } from "node-llama-cpp";
import { FileNotFoundError, GgufFormatError } from "../errors.js";
import type { ModelShape } from "./model-shape.js";

// Vocabulary arrays are most of a header's bytes and the planner needs only their length (token_embd has it).
const SKIPPED_KEYS = ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"];

function numberAt(file: string, meta: Record<string, unknown>, key: string, fallback?: number): number {
  const parts = key.split(".");
  let value: unknown = meta;
  for (const part of parts) value = (value as Record<string, unknown> | undefined)?.[part];
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (fallback !== undefined) return fallback;
  throw new GgufFormatError(file, key, {
    en: `the metadata key is missing or not a number (found ${JSON.stringify(value) ?? "nothing"})`,
    ko: `메타데이터 키가 없거나 숫자가 아닙니다 (찾은 값: ${JSON.stringify(value) ?? "없음"})`,
  });
}

/** Bytes of each tensor as stored: the distance to the next tensor's data (alignment padding included, at most
 *  `general.alignment` bytes per tensor), the last one running to the end of the file. */
function tensorBytes(tensors: readonly GgufTensorInfo[], dataBytes: number): Map<string, number> {
  const sorted = [...tensors].sort((a, b) => Number(a.offset) - Number(b.offset));
  const sizes = new Map<string, number>();
  sorted.forEach((t, i) => {
    const end = i + 1 < sorted.length ? Number(sorted[i + 1]!.offset) : dataBytes;
    sizes.set(t.name, end - Number(t.offset));
  });
  return sizes;
}

function elements(t: GgufTensorInfo): number {
  return t.dimensions.reduce<number>((n, d) => n * Number(d), 1);
}

/** The shape of the model in a GGUF file, from `<arch>.*` metadata and the tensor list. */
export async function readGgufModelShape(file: string): Promise<ModelShape> {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "model");
  let info;
  try {
    info = await readGgufFileInfo(file, { logWarnings: false, ignoreKeys: SKIPPED_KEYS, spliceSplitFiles: true });
  } catch (error) {
    throw new GgufFormatError(file, "header", {
      en: (error as Error).message,
      ko: (error as Error).message,
    });
  }
  const arch = info.metadata.general?.architecture;
  const tensors = info.tensorInfo ?? [];
  const embd = tensors.find((t) => t.name === "token_embd.weight");
  if (!arch || !embd || info.infoEndOffset === undefined) {
    throw new GgufFormatError(file, arch ? "token_embd.weight" : "general.architecture", {
      en: "not a language model with token embeddings",
      ko: "토큰 임베딩이 있는 언어 모델이 아닙니다",
    });
  }
  const meta = info.metadata as unknown as Record<string, unknown>;
  const nEmbd = numberAt(file, meta, `${arch}.embedding_length`);
  const nHead = numberAt(file, meta, `${arch}.attention.head_count`);
  const dataBytes = fs.statSync(file).size - info.infoEndOffset;
  const sizes = tensorBytes(tensors, dataBytes);

  // The dominant storage type: the one holding the most bytes among matrices (norms are always F32).
  const bytesByType = new Map<number, number>();
  for (const t of tensors) {
    if (t.dimensions.length < 2) continue;
    bytesByType.set(t.ggmlType, (bytesByType.get(t.ggmlType) ?? 0) + (sizes.get(t.name) ?? 0));
  }
  const dominant = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;

  return {
    name: path.basename(file),
    source: path.resolve(file),
    arch,
    nLayer: numberAt(file, meta, `${arch}.block_count`),
    nEmbd,
    nFf: numberAt(file, meta, `${arch}.feed_forward_length`),
    nHead,
    nHeadKv: numberAt(file, meta, `${arch}.attention.head_count_kv`, nHead),
    headDim: numberAt(file, meta, `${arch}.attention.key_length`, nEmbd / nHead),
    nVocab: Number(embd.dimensions[1] ?? 0),
    ctxTrain: numberAt(file, meta, `${arch}.context_length`),
    tiedEmbeddings: !tensors.some((t) => t.name === "output.weight"),
    qkvBias: tensors.some((t) => t.name === "blk.0.attn_q.bias"),
    weightType: (GgmlType[dominant] ?? `type ${dominant}`).toLowerCase().replace(/_k$/, "_K"),
    weightBytes: dataBytes,
    totalParams: tensors.reduce((n, t) => n + elements(t), 0),
  };
}
