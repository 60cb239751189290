// Perplexity of a model on a token stream, over sliding windows of the context length: each token is scored once,
// with as much preceding context as its window gives (the Hugging Face "strided" scheme; stride = ctx means disjoint
// windows). Windows of equal length run batched in one graph. A NaN or infinite log-likelihood is an error, never a
// perplexity: it means damaged weights, and a printed "perplexity NaN" looks like a result.
import type { DecoderHooks } from "./graph/hooks.js";
import { NonFiniteResultError, ShapeError } from "../errors.js";
import { forwardLogits } from "./forward.js";
import type { EngineModel } from "./model.js";

/** A window of the token stream: tokens [start, end) are evaluated; tokens [firstScored, end) are scored. */
export interface PerplexityWindow {
  start: number;
  end: number;
  firstScored: number;
}

/** Windows of at most `ctx` tokens, starting every `stride` tokens, each scoring only the tokens no earlier window scored. */
export function planWindows(nTokens: number, ctx: number, stride: number): PerplexityWindow[] {
  if (!Number.isInteger(ctx) || ctx < 2) throw new ShapeError(`--ctx must be an integer >= 2, got ${ctx}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > ctx) throw new ShapeError(`--stride must be an integer in [1, ctx=${ctx}], got ${stride}`);
  const windows: PerplexityWindow[] = [];
  let scoredUpTo = 1; // token 0 has no context and is never scored
  for (let start = 0; scoredUpTo < nTokens; start += stride) {
    const end = Math.min(start + ctx, nTokens);
    // A window whose first token is start can score from start + 1 on.
    const firstScored = Math.max(scoredUpTo, start + 1);
    if (firstScored < end) windows.push({ start, end, firstScored });
    scoredUpTo = Math.max(scoredUpTo, end);
  }
  return windows;
}

export interface PerplexityOptions {
  /** Window length in tokens. */
  ctx: number;
  /** Tokens between window starts; default ctx (disjoint windows). */
  stride?: number;
  /** Windows evaluated together in one graph (more is faster, uses more memory). Default 4. */
  batchWindows?: number;
  /** Called after each batch with the tokens scored so far. */
  onProgress?: (scored: number, total: number) => void;
  /** A method's decoder hooks (adapters that are not merged into the weights); none by default. */
  hooks?: DecoderHooks;
}

export interface PerplexityResult {
  perplexity: number;
  /** Mean negative log-likelihood per scored token (nats). */
  meanNll: number;
  /** Negative log-likelihood summed over the scored tokens (nats). */
  totalNll: number;
  scoredTokens: number;
  /** Tokens run through the model (windows overlap when stride < ctx). */
  evaluatedTokens: number;
  windows: number;
  seconds: number;
  /** Evaluated tokens per second of forward computation. */
  tokensPerSecond: number;
}

export function perplexity(model: EngineModel, tokens: Int32Array, options: PerplexityOptions): PerplexityResult {
  const windows = planWindows(tokens.length, options.ctx, options.stride ?? options.ctx);
  if (windows.length === 0) throw new ShapeError(`the text has ${tokens.length} token(s): at least 2 are needed for perplexity`);
  const total = windows.reduce((sum, w) => sum + (w.end - w.firstScored), 0);
  const batchSize = Math.max(1, options.batchWindows ?? 4);
  const V = model.hparams.nVocab;
  let nll = 0;
  let scored = 0;
  let evaluated = 0;
  const started = performance.now();
  for (let i = 0; i < windows.length; ) {
    // Group consecutive windows of the same length: one graph per group.
    const length = windows[i]!.end - windows[i]!.start;
    const group: PerplexityWindow[] = [];
    while (i < windows.length && group.length < batchSize && windows[i]!.end - windows[i]!.start === length) group.push(windows[i++]!);
    const batch = new Int32Array(group.length * length);
    const rows: number[] = [];
    const targets: number[] = [];
    group.forEach((w, b) => {
      batch.set(tokens.subarray(w.start, w.end), b * length);
      for (let p = w.firstScored; p < w.end; p++) {
        rows.push(b * length + (p - 1 - w.start)); // logits at p - 1 predict token p
        targets.push(tokens[p]!);
      }
    });
    const logits = forwardLogits(model, { tokens: batch, sequences: group.length, outputRows: Int32Array.from(rows) }, options.hooks);
    for (let r = 0; r < rows.length; r++) nll -= logProbability(logits.subarray(r * V, (r + 1) * V), targets[r]!);
    // Checked per batch: the first damaged window stops the run instead of the whole text being scored for nothing.
    if (!Number.isFinite(nll)) throw new NonFiniteResultError("the log-likelihood", `${model.file.file} (tokens ${group[0]!.start} to ${group.at(-1)!.end})`, nll);
    scored += rows.length;
    evaluated += batch.length;
    options.onProgress?.(scored, total);
  }
  const seconds = (performance.now() - started) / 1000;
  const meanNll = nll / scored;
  if (!Number.isFinite(Math.exp(meanNll))) throw new NonFiniteResultError("the perplexity", model.file.file, Math.exp(meanNll));
  return { perplexity: Math.exp(meanNll), meanNll, totalNll: nll, scoredTokens: scored, evaluatedTokens: evaluated, windows: windows.length, seconds, tokensPerSecond: evaluated / seconds };
}

/** log softmax(logits)[target], in float64. */
export function logProbability(logits: Float32Array, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return logits[target]! - max - Math.log(sum);
}
