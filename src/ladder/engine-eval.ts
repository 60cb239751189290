// EvalScorer and EvalGenerator over localtune's own engine (EngineModel + a method's decoder hooks), so every rung of
// the ladder, prompt and prefix tuning included (llama.cpp cannot run those), is scored by one code path.
// Tokenization comes from node-llama-cpp's vocabulary-only model (docs/engine-notes.md, "Tokenization from node-llama-cpp").
import type { LlamaModel, Token } from "node-llama-cpp";
import type { DecoderHooks } from "../engine/graph/hooks.js";
import { PromptTooLongError } from "../errors.js";
import type { EvalGenerateOptions, EvalGenerator, EvalScorer, HeldOutPerplexity } from "../eval/interfaces.js";
import { forwardLogits } from "../engine/forward.js";
import type { EngineModel } from "../engine/model.js";
import { logProbability, perplexity } from "../engine/perplexity.js";

export interface EngineEvalOptions {
  /** Tokens per perplexity window (disjoint windows over BOS + text). */
  windowTokens: number;
  /** Windows evaluated together in one graph. Default 4. */
  batchWindows?: number;
  /** What the scores come from, shown in eval.json (e.g. "localtune engine + lora"). */
  backend: string;
  /**
   * For prompts whose verdict depends only on the start of the continuation (cloze items): the number of characters
   * after which generation may stop, counted on the continuation with leading whitespace removed, NFC and
   * lower-cased. Greedy decoding makes the stopped text a prefix of the full one, so verdicts do not change.
   */
  decidedAfter?: (prompt: string) => number | undefined;
}

export interface EngineEvalBackend {
  scorer: EvalScorer;
  generator: EvalGenerator;
}

/** Index of the largest logit (the first one on ties, like llama.cpp's greedy sampler). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

export function createEngineEvalBackend(model: EngineModel, vocab: LlamaModel, hooks: DecoderHooks, options: EngineEvalOptions): EngineEvalBackend {
  const V = model.hparams.nVocab;
  // Virtual tokens (prompt tuning) take positions in front of every sequence.
  const limit = model.hparams.nCtxTrain - (hooks.virtualTokens?.count ?? 0);
  const bos = vocab.tokens.shouldPrependBosToken ? vocab.tokens.bos : null;
  const eos = vocab.tokens.eos;
  const encode = (text: string): Token[] => (bos !== null ? [bos, ...vocab.tokenize(text)] : vocab.tokenize(text));
  const ensureFits = (tokens: number) => {
    if (tokens > limit) throw new PromptTooLongError(tokens, limit);
  };

  const scorer: EvalScorer = {
    backend: options.backend,
    async logprob(context, continuation) {
      // Tokens after the context's own tokenization belong to the continuation (a merge across the boundary belongs
      // to the continuation, as in the node-llama-cpp scorer, so the two agree).
      const whole = encode(context + continuation);
      const prefix = encode(context);
      let from = 0;
      while (from < prefix.length && from < whole.length && prefix[from] === whole[from]) from++;
      if (from === whole.length) return 0;
      if (from === 0) from = 1;
      ensureFits(whole.length);
      const rows = Int32Array.from({ length: whole.length - from }, (_, i) => from - 1 + i); // logits at p - 1 predict p
      const logits = forwardLogits(model, { tokens: Int32Array.from(whole), sequences: 1, outputRows: rows }, hooks);
      let total = 0;
      for (let r = 0; r < rows.length; r++) total += logProbability(logits.subarray(r * V, (r + 1) * V), whole[from + r]!);
      return total;
    },
    async perplexity(text): Promise<HeldOutPerplexity> {
      const stream = Int32Array.from(encode(text));
      const ctx = Math.min(options.windowTokens, limit);
      if (stream.length < 2) throw new RangeError("the text has too few tokens to measure perplexity");
      const result = perplexity(model, stream, { ctx, batchWindows: options.batchWindows, hooks });
      return { perplexity: result.perplexity, nll: result.totalNll, tokens: result.scoredTokens, windowTokens: ctx };
    },
  };

  const generator: EvalGenerator = {
    backend: options.backend,
    async complete(prompt: string, opts: EvalGenerateOptions) {
      const tokens = encode(prompt);
      ensureFits(tokens.length + opts.maxTokens);
      const decided = options.decidedAfter?.(prompt);
      const generated: Token[] = [];
      let text = "";
      // No KV cache: every new token re-runs the whole sequence (one graph per token). Evaluation prompts are short,
      // and one code path for all hooks matters more here than speed.
      for (let i = 0; i < opts.maxTokens; i++) {
        const all = Int32Array.from([...tokens, ...generated]);
        const next = argmax(forwardLogits(model, { tokens: all, sequences: 1, outputRows: Int32Array.from([all.length - 1]) }, hooks)) as Token;
        if (next === eos) break;
        generated.push(next);
        // Detokenized on its own, as node-llama-cpp's LlamaCompletion returns it (SentencePiece drops the first
        // token's leading space), so both generators give the same text.
        text = vocab.detokenize(generated);
        const stopAt = firstStop(text, opts.stop);
        if (stopAt >= 0) return text.slice(0, stopAt);
        if (decided !== undefined && text.normalize("NFC").trimStart().toLowerCase().length > decided) break;
      }
      return text;
    },
  };
  return { scorer, generator };
}

/** Index of the earliest stop string in text, or -1. */
function firstStop(text: string, stops: readonly string[] | undefined): number {
  let at = -1;
  for (const stop of stops ?? []) {
    const i = text.indexOf(stop);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at;
}
