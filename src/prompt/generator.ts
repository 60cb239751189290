// The one generation interface: the CLI, chat, batch runs and the server all talk to a TextGenerator, whichever
// engine is behind it (node-llama-cpp for base models and GGUF LoRA; our ggml engine for prompt/prefix tuning).
import type { LlamaText, Token } from "node-llama-cpp";
import type { Sampling } from "./sampling.js";

/** A stop condition: plain text, or a LlamaText from a chat template (may hold special tokens). */
export type StopTrigger = string | LlamaText;

export interface GenerateRequest {
  /** Text (the engine adds BOS and tokenizes it), or tokens already laid out by a chat template (BOS included or not). */
  prompt: string | readonly Token[];
  sampling: Sampling;
  /** Extra stop triggers beyond sampling.stop, e.g. a chat template's turn markers. */
  stopTriggers?: readonly StopTrigger[];
  /** Called with each piece of text as soon as it is final (never a broken UTF-8 sequence or a partial stop string). */
  onText?: (chunk: string) => void;
  /** Aborting stops generation at the next token; the result so far comes back with stopReason "abort". */
  signal?: AbortSignal;
}

/** Why generation ended: end-of-generation token, a stop trigger, the token limit, or an abort. */
export type StopReason = "eos" | "stop" | "length" | "abort";

export interface GenerationResult {
  text: string;
  stopReason: StopReason;
  promptTokens: number;
  completionTokens: number;
  /** Wall time from the call to the last token, queueing for a free sequence excluded. */
  durationMs: number;
  /** Time to the first generated token (prompt evaluation included). */
  firstTokenMs: number;
  /** completionTokens over the time after the first token: the decode speed. */
  tokensPerSecond: number;
  /** The seed the sampler used (reproduces the output with the same prompt and options). */
  seed: number;
}

export interface TextGenerator {
  /** Which model and adapters this generator runs, e.g. "stories260K" or "stories260K+my-lora". */
  readonly id: string;
  /** Tokens one sequence holds (prompt plus generated text). */
  readonly contextSize: number;
  /** Requests generating now. */
  readonly active: number;
  /** Requests waiting for their turn (a free sequence, or the engine's one cache). */
  readonly queued: number;
  generate(request: GenerateRequest): Promise<GenerationResult>;
  /** Token count of a text as the generator's model tokenizes it (BOS not counted). */
  countTokens(text: string): number;
}
