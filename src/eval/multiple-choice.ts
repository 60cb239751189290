// Multiple-choice accuracy by log-likelihood: the model "answers" with the choice it finds most probable after the
// question. Works with any engine through a LogprobFn.
import type { LogprobFn } from "./interfaces.js";

export interface McQuestion {
  /** Context as written (the prompt before the answer). */
  question: string;
  choices: readonly string[];
  /** Index of the correct choice. */
  answer: number;
}

export interface McItemResult {
  /** Sum of token log-probabilities of each choice. */
  logprobs: number[];
  /** argmax of logprobs (ties: the first). */
  predicted: number;
  /** argmax of logprobs divided by the choice's length in UTF-8 bytes, so long choices are not penalised for length. */
  predictedNorm: number;
  correct: boolean;
  correctNorm: boolean;
}

/** Each choice is scored as the continuation " <choice>" (one space, unless it starts with whitespace). */
export function choiceContinuation(choice: string): string {
  return /^\s/u.test(choice) ? choice : ` ${choice}`;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

export async function scoreMultipleChoice(item: McQuestion, logprob: LogprobFn): Promise<McItemResult> {
  if (item.choices.length < 2) throw new RangeError("a multiple-choice item needs at least two choices");
  if (!Number.isInteger(item.answer) || item.answer < 0 || item.answer >= item.choices.length) {
    throw new RangeError(`answer index ${item.answer} is outside 0..${item.choices.length - 1}`);
  }
  const logprobs: number[] = [];
  for (const choice of item.choices) logprobs.push(await logprob(item.question, choiceContinuation(choice)));
  const normalised = logprobs.map((lp, i) => lp / Math.max(1, Buffer.byteLength(choiceContinuation(item.choices[i]!), "utf8")));
  const predicted = argmax(logprobs);
  const predictedNorm = argmax(normalised);
  return { logprobs, predicted, predictedNorm, correct: predicted === item.answer, correctNorm: predictedNorm === item.answer };
}

/** Accuracy (acc) and length-normalised accuracy (acc_norm, as lm-evaluation-harness reports it) over items. */
export async function multipleChoiceAccuracy(
  items: readonly McQuestion[],
  logprob: LogprobFn,
): Promise<{ accuracy: number; accuracyNorm: number; results: McItemResult[] }> {
  const results: McItemResult[] = [];
  for (const item of items) results.push(await scoreMultipleChoice(item, logprob));
  const n = results.length;
  return {
    accuracy: n === 0 ? 0 : results.filter((r) => r.correct).length / n,
    accuracyNorm: n === 0 ? 0 : results.filter((r) => r.correctNorm).length / n,
    results,
  };
}
