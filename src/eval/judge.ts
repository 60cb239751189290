// A local LLM judge: pairwise (which answer is better) and rubric (score 1-5). The verdict is forced into JSON by
// node-llama-cpp's JSON-schema grammar, so every reply parses, even from a model that cannot follow instructions.
import { LlamaChatSession, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { JudgeVerdictError } from "../errors.js";
import { llamaContextThreads } from "../native/llama-runtime.js";

export interface PairwiseInput {
  /** The task or question both answers respond to. */
  prompt: string;
  answerA: string;
  answerB: string;
}

export interface PairwiseVerdict {
  reason: string;
  winner: "A" | "B" | "tie";
}

export interface RubricInput {
  prompt: string;
  answer: string;
  /** What a good answer does, in words; the judge scores against it. */
  rubric: string;
  /** A reference answer, when there is one. */
  reference?: string;
}

export interface RubricVerdict {
  reason: string;
  score: 1 | 2 | 3 | 4 | 5;
}

/** A judge any engine can implement. */
export interface Judge {
  readonly backend: string;
  pairwise(input: PairwiseInput): Promise<PairwiseVerdict>;
  rubric(input: RubricInput): Promise<RubricVerdict>;
}

export interface LlamaJudgeOptions {
  /** Longest reason in characters: bounds the reply so it always fits maxTokens. Default 160. */
  maxReasonChars?: number;
  /** 0 (default) is greedy; above 0 samples with `seed`. */
  temperature?: number;
  seed?: number;
  /** Context size for the judge. Default min(model's train context, 2048). */
  contextSize?: number;
  /** CPU threads (see LlamaScorerOptions.threads). Default: node-llama-cpp's choice. */
  threads?: number;
}

/** The reason comes first so the verdict is conditioned on it. */
export function pairwiseSchema(maxReasonChars: number) {
  return {
    type: "object",
    properties: {
      reason: { type: "string", maxLength: maxReasonChars },
      winner: { enum: ["A", "B", "tie"] },
    },
  } as const;
}

export function rubricSchema(maxReasonChars: number) {
  return {
    type: "object",
    properties: {
      reason: { type: "string", maxLength: maxReasonChars },
      score: { enum: [1, 2, 3, 4, 5] },
    },
  } as const;
}

export function pairwisePrompt(input: PairwiseInput): string {
  return [
    "You are a strict evaluator. Compare two answers to the same task and decide which is better:",
    "more correct, more complete, better grounded. Ignore length and order.",
    `Task:\n${input.prompt}`,
    `Answer A:\n${input.answerA}`,
    `Answer B:\n${input.answerB}`,
    'Reply with JSON: {"reason": short reason, "winner": "A", "B" or "tie"}.',
  ].join("\n\n");
}

export function rubricPrompt(input: RubricInput): string {
  return [
    "You are a strict evaluator. Score the answer from 1 (fails the rubric) to 5 (fully meets it).",
    `Task:\n${input.prompt}`,
    `Rubric:\n${input.rubric}`,
    ...(input.reference !== undefined ? [`Reference answer:\n${input.reference}`] : []),
    `Answer:\n${input.answer}`,
    'Reply with JSON: {"reason": short reason, "score": 1 to 5}.',
  ].join("\n\n");
}

/**
 * A judge over a node-llama-cpp model with its own chat template. Each verdict starts from an empty chat on one
 * sequence. maxTokens allows 8 tokens per reason character (byte-fallback tokens and JSON escapes) plus the
 * JSON frame, so the grammar always reaches its end before the token limit.
 */
export async function createLlamaJudge(model: LlamaModel, options: LlamaJudgeOptions = {}): Promise<Judge & { dispose(): Promise<void> }> {
  const maxReasonChars = options.maxReasonChars ?? 160;
  const llama = model.llama;
  const pairGrammar = await llama.createGrammarForJsonSchema(pairwiseSchema(maxReasonChars));
  const rubricGrammar = await llama.createGrammarForJsonSchema(rubricSchema(maxReasonChars));
  const context: LlamaContext = await model.createContext({
    contextSize: options.contextSize ?? Math.min(model.trainContextSize, 2048),
    threads: llamaContextThreads(llama, model, options.threads),
  });
  const sequence = context.getSequence();
  const maxTokens = 8 * maxReasonChars + 64;

  /** One grammar-constrained reply, parsed and checked against the grammar's schema. */
  async function ask<T>(prompt: string, grammar: typeof pairGrammar | typeof rubricGrammar): Promise<T> {
    await sequence.clearHistory();
    const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    let output: string;
    try {
      const sampling = options.temperature ? { temperature: options.temperature, seed: options.seed ?? 0 } : { temperature: 0 };
      output = await session.prompt(prompt, { grammar, maxTokens, ...sampling });
    } finally {
      session.dispose({ disposeSequence: false });
    }
    try {
      return grammar.parse(output) as T;
    } catch (error) {
      throw new JudgeVerdictError(output, (error as Error).message);
    }
  }

  return {
    backend: "node-llama-cpp (JSON-schema grammar)",
    async pairwise(input) {
      return ask<PairwiseVerdict>(pairwisePrompt(input), pairGrammar);
    },
    async rubric(input) {
      return ask<RubricVerdict>(rubricPrompt(input), rubricGrammar);
    },
    async dispose() {
      await context.dispose();
    },
  };
}

/**
 * Pairwise judging in both orders, to cancel the judge's position bias: a side wins only when it wins both
 * times; anything else is a tie. Returns the candidate's score: 1 win, 0.5 tie, 0 loss.
 */
export async function pairwiseBothOrders(judge: Judge, prompt: string, candidate: string, baseline: string): Promise<{ score: number; verdicts: PairwiseVerdict[] }> {
  const first = await judge.pairwise({ prompt, answerA: candidate, answerB: baseline });
  const second = await judge.pairwise({ prompt, answerA: baseline, answerB: candidate });
  const candidateWins = first.winner === "A" && second.winner === "B";
  const baselineWins = first.winner === "B" && second.winner === "A";
  return { score: candidateWins ? 1 : baselineWins ? 0 : 0.5, verdicts: [first, second] };
}
