// `localtune ppl`: perplexity of a GGUF model on a text file with our engine; tokenization goes through node-llama-cpp.
import fs from "node:fs";
import { validateTokenizer } from "../arch/validate-model.js";
import { FileNotFoundError, LocaltuneError } from "../errors.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { resolveModelPath } from "../native/model-source.js";
import { EngineModel } from "./model.js";
import { perplexity, type PerplexityResult } from "./perplexity.js";

export interface MeasurePerplexityOptions {
  /** GGUF model: a path, hf: URI or URL (see native/model-source.ts). */
  model: string;
  /** UTF-8 text file to score. */
  file: string;
  /** Window length in tokens; default min(512, the model's training context). */
  ctx?: number;
  /** Tokens between window starts; default ctx. */
  stride?: number;
  /** CPU threads; default all cores. */
  threads?: number;
  /** Windows per graph; default 4. */
  batchWindows?: number;
  onProgress?: (scored: number, total: number) => void;
}

export interface MeasuredPerplexity extends PerplexityResult {
  model: string;
  file: string;
  ctx: number;
  stride: number;
  totalTokens: number;
  backend: string;
  threads: number;
}

export async function measurePerplexity(options: MeasurePerplexityOptions): Promise<MeasuredPerplexity> {
  if (!fs.existsSync(options.file)) throw new FileNotFoundError(options.file, "text file");
  const text = fs.readFileSync(options.file, "utf8").normalize("NFC");
  // Our reader validates the file first, so a bad model gets a message naming the field rather than a native error.
  const modelPath = await resolveModelPath(options.model);
  const model = await EngineModel.load(modelPath, { threads: options.threads, kernelLayouts: true });
  try {
    // llama.cpp aborts the process on a tokenizer it cannot build: refuse one we cannot name as known first.
    validateTokenizer(model.file, model.hparams, true);
    const tokens = await tokenizeForScoring(modelPath, text);
    const ctx = options.ctx ?? Math.min(512, model.hparams.nCtxTrain);
    if (ctx > model.hparams.nCtxTrain) {
      throw new LocaltuneError({
        en: `--ctx ${ctx} is longer than the model's training context (${model.hparams.nCtxTrain}); use --ctx ${model.hparams.nCtxTrain} or less.`,
        ko: `--ctx ${ctx}이(가) 모델의 학습 문맥 길이(${model.hparams.nCtxTrain})보다 깁니다. --ctx ${model.hparams.nCtxTrain} 이하로 지정하세요.`,
      });
    }
    const stride = options.stride ?? ctx;
    const result = perplexity(model, tokens, { ctx, stride, batchWindows: options.batchWindows, onProgress: options.onProgress });
    return { ...result, model: options.model, file: options.file, ctx, stride, totalTokens: tokens.length, backend: model.backend.name, threads: model.backend.threads };
  } finally {
    model.dispose();
  }
}

/** Token ids of a text with the model's own tokenizer, with BOS first when the model expects one. */
export async function tokenizeForScoring(modelPath: string, text: string): Promise<Int32Array> {
  const vocab = await loadLlamaModel(modelPath, { vocabOnly: true });
  try {
    const ids = vocab.tokenize(text) as number[];
    const bos = vocab.tokens.bos;
    return Int32Array.from(vocab.tokens.shouldPrependBosToken && bos !== null ? [bos as number, ...ids] : ids);
  } finally {
    await vocab.dispose();
  }
}
