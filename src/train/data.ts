// Training data in: text files, folders of them, or prepared dataset folders, tokenized once (cached by tokenizer and
// content) into one stream with EOS between documents, then cut into fixed-length sequences.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { readTokenCache } from "../data/cache.js";
import { tokenizerKey } from "../data/tokenizer.js";
import { FileNotFoundError, InvalidConfigError } from "../errors.js";

const TEXT_EXTENSIONS = new Set([".txt", ".md", ".markdown", ".text"]);

/** Tokens of all documents back to back, with a loss mask (1 = the token is a training target). */
export interface TokenStream {
  tokens: Int32Array;
  mask: Uint8Array;
  documents: number;
  /** Files the stream came from (for the run's config and messages). */
  sources: string[];
}

/** Where tokenized text files are cached: LOCALTUNE_CACHE_DIR, else ~/.cache/localtune. */
export function cacheRoot(): string {
  return process.env.LOCALTUNE_CACHE_DIR ?? path.join(os.homedir(), ".cache", "localtune");
}

/** Builds the stream for one split from the given inputs (dataset folders contribute their `split`). */
export function loadTokenStream(inputs: readonly string[], vocab: LlamaModel, split: "train" | "val"): TokenStream {
  const parts: Array<{ tokens: ArrayLike<number>; mask: ArrayLike<number> }> = [];
  const sources: string[] = [];
  let documents = 0;
  const key = tokenizerKey(vocab);
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "training data");
    if (fs.statSync(input).isDirectory() && fs.existsSync(path.join(input, "manifest.json"))) {
      const cacheDir = path.join(input, "cache", key);
      if (!fs.existsSync(cacheDir)) {
        throw new InvalidConfigError({
          en: `dataset ${input} has no tokens for this model's tokenizer (expected ${cacheDir}). Prepare it with the same model: localtune data prepare <inputs> --model <model> --out ${input}`,
          ko: `데이터셋 ${input}에 이 모델의 토크나이저로 만든 토큰이 없습니다 (${cacheDir} 필요). 같은 모델로 준비하세요: localtune data prepare <입력> --model <모델> --out ${input}`,
        });
      }
      const cached = readTokenCache(cacheDir, split);
      parts.push({ tokens: cached.tokens, mask: cached.mask });
      documents += cached.index.length;
      sources.push(`${input} (${split})`);
      continue;
    }
    for (const file of textFilesIn(input)) {
      const tokens = tokenizeFileCached(file, vocab, key);
      parts.push({ tokens, mask: new Uint8Array(tokens.length).fill(1) });
      documents += 1;
      sources.push(file);
    }
  }
  const total = parts.reduce((sum, p) => sum + p.tokens.length, 0);
  const tokens = new Int32Array(total);
  const mask = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    tokens.set(p.tokens, offset);
    mask.set(p.mask, offset);
    offset += p.tokens.length;
  }
  return { tokens, mask, documents, sources };
}

/** The .txt / .md files of a path (a file itself, or a folder searched recursively, in sorted order). */
export function textFilesIn(input: string): string[] {
  if (!fs.statSync(input).isDirectory()) {
    if (!TEXT_EXTENSIONS.has(path.extname(input).toLowerCase())) {
      throw new InvalidConfigError({
        en: `${input}: training reads .txt and .md files or dataset folders; for other formats run localtune data prepare first.`,
        ko: `${input}: 학습은 .txt, .md 파일이나 데이터셋 폴더를 읽습니다. 다른 형식은 먼저 localtune data prepare를 실행하세요.`,
      });
    }
    return [input];
  }
  const files = fs
    .readdirSync(input, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(input, name))
    .filter((file) => TEXT_EXTENSIONS.has(path.extname(file).toLowerCase()) && fs.statSync(file).isFile())
    .sort();
  if (files.length === 0) throw new InvalidConfigError({ en: `${input} contains no .txt or .md files.`, ko: `${input}에 .txt 또는 .md 파일이 없습니다.` });
  return files;
}

/** One document: BOS (when the model wants one), its tokens, EOS. Cached by tokenizer key and content hash. */
function tokenizeFileCached(file: string, vocab: LlamaModel, key: string): Int32Array {
  const text = fs.readFileSync(file, "utf8").normalize("NFC");
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 32);
  const cached = path.join(cacheRoot(), "tokens", key, `${digest}.i32`);
  if (fs.existsSync(cached)) {
    const raw = fs.readFileSync(cached);
    return new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  const ids = vocab.tokenize(text) as number[];
  const bos = vocab.tokens.shouldPrependBosToken ? vocab.tokens.bos : null;
  const eos = vocab.tokens.eos;
  const tokens = Int32Array.from([...(bos !== null ? [bos as number] : []), ...ids, ...(eos !== null ? [eos as number] : [])]);
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const tmp = `${cached}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.from(tokens.buffer));
  fs.renameSync(tmp, cached);
  return tokens;
}

/**
 * Sequence k covers stream positions [k*T, k*T + T]: T inputs and their T next-token targets, so consecutive
 * sequences share one token and every token after the first is a target exactly once.
 */
export function sequenceCount(streamLength: number, sequenceLength: number): number {
  return Math.max(0, Math.floor((streamLength - 1) / sequenceLength));
}

/** Writes sequence `k` of the stream into a micro-batch slot. */
export function fillSequence(stream: TokenStream, k: number, T: number, tokens: Int32Array, targets: Int32Array, mask: Float32Array, slot: number): void {
  const start = k * T;
  for (let t = 0; t < T; t++) {
    tokens[slot * T + t] = stream.tokens[start + t]!;
    targets[slot * T + t] = stream.tokens[start + t + 1]!;
    mask[slot * T + t] = stream.mask[start + t + 1]!;
  }
}

/** A seeded permutation of 0..n-1 (Fisher-Yates), the order of sequences in one epoch. */
export function epochOrder(n: number, seed: number, epoch: number, random: (seed: number) => () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const next = random((seed * 1_000_003 + epoch) >>> 0);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}
