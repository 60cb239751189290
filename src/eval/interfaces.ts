// The small interfaces evaluation runs against, so any engine can plug in: node-llama-cpp today, localtune's own
// ggml engine (src/engine) once it can score and generate.

/** Sum of natural-log probabilities of `continuation`'s tokens given `context`. */
export type LogprobFn = (context: string, continuation: string) => Promise<number>;

export interface HeldOutPerplexity {
  /** exp(mean negative log-likelihood per scored token). */
  perplexity: number;
  /** Sum of negative natural-log probabilities over the scored tokens. */
  nll: number;
  /** Number of tokens scored. */
  tokens: number;
  /** Tokens per window (disjoint windows over BOS + text; a window's first token is context, not scored). */
  windowTokens: number;
}

/** Scores text under a model. */
export interface EvalScorer {
  /** What computes the scores (shown in eval.json), e.g. "node-llama-cpp 3.21.1". */
  readonly backend: string;
  logprob: LogprobFn;
  perplexity(text: string): Promise<HeldOutPerplexity>;
}

export interface EvalGenerateOptions {
  /** Most tokens to generate. */
  maxTokens: number;
  /** Stop when any of these strings appears (it is not included in the output). */
  stop?: readonly string[];
}

/** Greedy (temperature 0) continuation of a raw prompt: no chat template, so base models and adapters compare fairly. */
export interface EvalGenerator {
  readonly backend: string;
  complete(prompt: string, options: EvalGenerateOptions): Promise<string>;
}
