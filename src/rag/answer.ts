// `rag ask`: retrieve, fit numbered sources into the model's context next to the question, and generate an answer
// that cites them as [1], [2]. Generation is one small call here so it can move to the prompt layer later.
import { LlamaChatSession, type LlamaModel } from "node-llama-cpp";
import { z } from "zod";
import { RagQuestionTooLongError } from "../errors.js";
import { llamaContextThreads, loadLlamaModel } from "../native/llama-runtime.js";
import { RagSearchOptionsSchema } from "./config.js";
import { RagRetriever, type RagHit, type RetrievalMode } from "./retriever.js";

export const RagAskOptionsSchema = RagSearchOptionsSchema.extend({
  model: z.string().min(1).describe("GGUF model that writes the answer (path, or hf: URI)").meta({ ko: "답을 쓰는 GGUF 모델" }),
  contextSize: z.number().int().positive().optional().describe("context window in tokens; default: the model's training context, at most 4096"),
  maxTokens: z.number().int().positive().default(256).describe("longest answer, in tokens (kept free in the context)").meta({ ko: "가장 긴 답의 토큰 수" }),
  temperature: z.number().min(0).default(0).describe("sampling temperature; 0 picks the most likely token (reproducible)").meta({ ko: "샘플링 온도; 0이면 가장 가능성 높은 토큰 (재현 가능)" }),
});
export type RagAskOptions = z.input<typeof RagAskOptionsSchema>;

/** A source as placed in the prompt: number [n], the hit, and whether it fit. */
export interface RagSource extends RagHit {
  number: number;
}

export interface RagAnswer {
  question: string;
  answer: string;
  /** Sources in the prompt, numbered as the answer cites them. */
  sources: RagSource[];
  /** Retrieved chunks that did not fit the context budget. */
  omitted: Array<{ citation: string; chunkId: string }>;
  /** Source numbers the answer cites ([n] markers that name a given source). */
  cited: number[];
  mode: RetrievalMode;
  promptTokens: number;
}

// Room for the chat template's own tokens (role markers, separators) around the system and user messages.
const TEMPLATE_MARGIN = 64;

const INSTRUCTIONS = {
  en: "Answer the question using only the numbered sources below. Cite every source you use as [1], [2]. If the sources do not contain the answer, say so.",
  ko: "아래 번호가 붙은 자료만 근거로 질문에 답하세요. 사용한 자료를 [1], [2]처럼 표시하세요. 자료에 답이 없으면 없다고 말하세요.",
};

/** The system message, in the question's language. */
export function ragInstructions(question: string): string {
  return /[\uAC00-\uD7A3]/.test(question) ? INSTRUCTIONS.ko : INSTRUCTIONS.en;
}

/** One numbered source block as it appears in the prompt. */
export function formatSource(number: number, hit: Pick<RagHit, "citation" | "text">): string {
  return `[${number}] ${hit.citation}\n${hit.text.trim()}`;
}

/** The user message: numbered sources, then the question. */
export function ragUserMessage(question: string, blocks: string[]): string {
  const ko = /[\uAC00-\uD7A3]/.test(question);
  return `${ko ? "자료" : "Sources"}:\n\n${blocks.join("\n\n")}\n\n${ko ? "질문" : "Question"}: ${question}`;
}

/**
 * Keeps hits in rank order while the prompt fits `budget` tokens (a hit that does not fit is left out and the next,
 * shorter one may still fit); throws RagQuestionTooLongError when not even the question fits.
 */
export function fitSources(
  question: string,
  hits: RagHit[],
  budget: number,
  countTokens: (text: string) => number,
): { sources: RagSource[]; omitted: RagHit[]; promptTokens: number } {
  const fixed = countTokens(ragInstructions(question)) + TEMPLATE_MARGIN;
  const bare = fixed + countTokens(ragUserMessage(question, []));
  if (bare > budget) throw new RagQuestionTooLongError(bare, budget);
  const sources: RagSource[] = [];
  const omitted: RagHit[] = [];
  let blocks: string[] = [];
  let used = bare;
  for (const hit of hits) {
    const candidate = [...blocks, formatSource(sources.length + 1, hit)];
    const tokens = fixed + countTokens(ragUserMessage(question, candidate));
    if (tokens <= budget) {
      blocks = candidate;
      sources.push({ ...hit, number: sources.length + 1 });
      used = tokens;
    } else {
      omitted.push(hit);
    }
  }
  return { sources, omitted, promptTokens: used };
}

/** Source numbers cited in an answer ("[1]", "[2, 3]"), restricted to 1..count, in order of first mention. */
export function citedNumbers(answer: string, count: number): number[] {
  const out: number[] = [];
  for (const group of answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const n of group[1]!.split(",").map((x) => Number(x.trim()))) if (n >= 1 && n <= count && !out.includes(n)) out.push(n);
  }
  return out;
}

/** Generates the answer with node-llama-cpp's chat session (the model's own chat template). */
async function generate(model: LlamaModel, contextSize: number, system: string, user: string, maxTokens: number, temperature: number): Promise<string> {
  const context = await model.createContext({ contextSize, threads: llamaContextThreads(model.llama, model) });
  try {
    const session = new LlamaChatSession({ contextSequence: context.getSequence(), systemPrompt: system });
    return await session.prompt(user, { maxTokens, temperature });
  } finally {
    await context.dispose();
  }
}

/** The chat messages of one RAG turn: instructions, then the numbered sources that fit `budget` tokens and the question. */
export interface RagPrompt {
  system: string;
  user: string;
  sources: RagSource[];
  omitted: RagHit[];
  promptTokens: number;
}

export function buildRagPrompt(question: string, hits: RagHit[], budget: number, countTokens: (text: string) => number): RagPrompt {
  const { sources, omitted, promptTokens } = fitSources(question, hits, budget, countTokens);
  return { system: ragInstructions(question), user: ragUserMessage(question, sources.map((s) => formatSource(s.number, s))), sources, omitted, promptTokens };
}

/** `rag ask`: retrieves the k best chunks, fits them into the context, and answers with citations. */
export async function askRag(question: string, rawOptions: RagAskOptions): Promise<RagAnswer> {
  const options = RagAskOptionsSchema.parse(rawOptions);
  const retriever = await RagRetriever.open(options);
  let model: LlamaModel | undefined;
  try {
    const hits = await retriever.search(question, options.k);
    model = await loadLlamaModel(options.model, { gpu: options.gpu });
    const contextSize = options.contextSize ?? Math.min(model.trainContextSize, 4096);
    const countTokens = (text: string) => model!.tokenize(text).length;
    const { system, user, sources, omitted, promptTokens } = buildRagPrompt(question, hits, contextSize - options.maxTokens, countTokens);
    const answer = await generate(model, contextSize, system, user, options.maxTokens, options.temperature);
    return {
      question,
      answer,
      sources,
      omitted: omitted.map((h) => ({ citation: h.citation, chunkId: h.chunkId })),
      cited: citedNumbers(answer, sources.length),
      mode: retriever.mode,
      promptTokens,
    };
  } finally {
    await model?.dispose();
    await retriever.close();
  }
}
