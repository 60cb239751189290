// EvalScorer and EvalGenerator over node-llama-cpp: log-probabilities from `controlledEvaluate` with the full
// next-token distribution (topK 0), greedy generation from LlamaCompletion. Stands in for localtune's own engine
// until src/engine can score; both implement the interfaces in ./interfaces.ts.
import { LlamaCompletion, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import type { EvalGenerateOptions, HeldOutPerplexity, EvalGenerator, EvalScorer } from "./interfaces.js";
import { llamaContextThreads } from "../native/llama-runtime.js";

/** Sampling options that leave the softmax untouched, so the returned map is the model's distribution. */
const FULL_DISTRIBUTION = { temperature: 1, topK: 0, topP: 1, minP: 0 } as const;

const BACKEND = "node-llama-cpp";

/** Tokens of `text` with BOS first when the model wants one (LlamaCompletion adds it the same way). */
function withBos(model: LlamaModel, tokens: Token[]): Token[] {
  const bos = model.tokens.bos;
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
}

/**
 * Sum of ln p(input[i+1] | input[..i]) for every i + 1 in [from, input.length). Starts from an empty sequence:
 * each call re-evaluates the whole input (no KV reuse), and asks for the full vocabulary distribution at each
 * scored position (a Map of vocab size per token: costly for large vocabularies, fine for evaluation sets).
 */
async function sumLogprobs(sequence: LlamaContextSequence, input: readonly Token[], from: number): Promise<number> {
  if (from < 1) throw new RangeError("the first token has no context to be scored against");
  await sequence.clearHistory();
  const items = input.map((token, i) =>
    i + 1 >= from && i + 1 < input.length
      ? ([token, { generateNext: { probabilities: true, options: FULL_DISTRIBUTION } }] as [Token, object])
      : token,
  );
  const outputs = await sequence.controlledEvaluate(items as Parameters<LlamaContextSequence["controlledEvaluate"]>[0]);
  let total = 0;
  for (let i = from - 1; i < input.length - 1; i++) {
    const probabilities = outputs[i]?.next.probabilities;
    if (!probabilities) throw new Error(`node-llama-cpp returned no probabilities at position ${i}`);
    // A token with probability 0 (or missing) gives -Infinity: an honest "impossible", not a clamped number.
    total += Math.log(probabilities.get(input[i + 1]!) ?? 0);
  }
  return total;
}

export interface LlamaScorerOptions {
  /** Context size of the scoring context; also the perplexity window. Default min(model's train context, 1024). */
  contextSize?: number;
  /** A GGUF LoRA adapter file applied to the model for this context (llama.cpp's adapter format). */
  loraPath?: string;
  /**
   * CPU threads for evaluation. Default: node-llama-cpp's choice (all cores). On a busy machine, 1 thread can be
   * far faster for token-by-token generation: ggml's threads spin at a barrier after every operation, and a
   * descheduled thread stalls the others (measured here: 40 tokens took 193 s with 2 threads under load 16, 0.15 s with 1).
   */
  threads?: number;
}

/** A scorer and a greedy generator sharing one node-llama-cpp context (two sequences). Dispose when done. */
export interface LlamaEvalBackend {
  scorer: EvalScorer;
  generator: EvalGenerator;
  context: LlamaContext;
  dispose(): Promise<void>;
}

export async function createLlamaEvalBackend(model: LlamaModel, options: LlamaScorerOptions = {}): Promise<LlamaEvalBackend> {
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize, 1024);
  const context = await model.createContext({
    contextSize,
    sequences: 2,
    threads: llamaContextThreads(model.llama, model, options.threads),
    ...(options.loraPath ? { lora: { adapters: [{ filePath: options.loraPath }] } } : {}),
  });
  const scoreSequence = context.getSequence();
  const generateSequence = context.getSequence();
  const completion = new LlamaCompletion({ contextSequence: generateSequence });
  const backend = options.loraPath ? `${BACKEND} + LoRA ${options.loraPath}` : BACKEND;

  const scorer: EvalScorer = {
    backend,
    async logprob(contextText, continuation) {
      // Tokenize context+continuation together and take the tokens after the context's own tokenization: tokenizing
      // the continuation alone would change how its leading space is encoded (SentencePiece "▁there" vs "▁" "there").
      const whole = withBos(model, model.tokenize(contextText + continuation));
      const prefix = withBos(model, model.tokenize(contextText));
      let from = 0;
      while (from < prefix.length && from < whole.length && prefix[from] === whole[from]) from++;
      // When a merge crosses the boundary, the merged token belongs to the continuation (it contains its text).
      if (from === whole.length) return 0;
      if (from === 0) from = 1;
      if (whole.length > contextSize) {
        throw new RangeError(`context + continuation is ${whole.length} tokens, more than the context size ${contextSize}`);
      }
      return sumLogprobs(scoreSequence, whole, from);
    },
    async perplexity(text): Promise<HeldOutPerplexity> {
      // Disjoint windows of contextSize over BOS + text; in each window the first token is context only and every
      // later one is scored (what `localtune ppl` does with stride = ctx, so the two agree). Starting a window with
      // BOS instead would put BOS before mid-sentence text, which the model never saw in training.
      const stream = withBos(model, model.tokenize(text));
      let nll = 0;
      let scored = 0;
      for (let start = 0; start < stream.length; start += contextSize) {
        const window = stream.slice(start, start + contextSize);
        // A trailing window of one token has nothing to condition on inside it.
        if (window.length < 2) continue;
        nll -= await sumLogprobs(scoreSequence, window, 1);
        scored += window.length - 1;
      }
      if (scored === 0) throw new RangeError("the text has too few tokens to measure perplexity");
      return { perplexity: Math.exp(nll / scored), nll, tokens: scored, windowTokens: contextSize };
    },
  };

  const generator: EvalGenerator = {
    backend,
    async complete(prompt: string, opts: EvalGenerateOptions) {
      await generateSequence.clearHistory();
      const stops = opts.stop && opts.stop.length > 0 ? { customStopTriggers: [...opts.stop] } : {};
      return completion.generateCompletion(prompt, { maxTokens: opts.maxTokens, temperature: 0, ...stops });
    },
  };

  return {
    scorer,
    generator,
    context,
    async dispose() {
      completion.dispose();
      await context.dispose();
    },
  };
}
