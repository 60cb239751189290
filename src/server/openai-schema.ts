// Request bodies of the OpenAI-compatible endpoints (the fields localtune honours), validated with zod, and their
// mapping onto our sampling options. Unknown fields are ignored, as OpenAI clients send many optional ones.
import { z } from "zod";
import type { ChatMessage } from "../data/schema.js";
import type { SamplingInput } from "../prompt/index.js";
import { HttpError } from "./http.js";

const stop = z.union([z.string().min(1), z.array(z.string().min(1)).max(4)]).nullish().describe("up to 4 stop strings");

const common = {
  model: z.string().min(1).describe("a model id from /v1/models: the base model or one of its adapters"),
  max_tokens: z.number().int().min(1).nullish().describe("most tokens to generate"),
  temperature: z.number().min(0).max(2).nullish().describe("0 = greedy; OpenAI's default is 1"),
  top_p: z.number().gt(0).max(1).nullish().describe("nucleus sampling threshold"),
  top_k: z.number().int().min(0).nullish().describe("llama.cpp extension: sample among the k most likely tokens"),
  min_p: z.number().min(0).max(1).nullish().describe("llama.cpp extension: min-p sampling"),
  repeat_penalty: z.number().min(1).max(5).nullish().describe("llama.cpp extension: repeat penalty, 1 = off"),
  frequency_penalty: z.number().min(0).max(2).nullish().describe("only 0..2 is supported (negative values are not)"),
  presence_penalty: z.number().min(0).max(2).nullish().describe("only 0..2 is supported (negative values are not)"),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullish().describe("sampling seed"),
  stop,
  stream: z.boolean().nullish().describe("stream Server-Sent Events"),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish().describe("include_usage adds a usage chunk"),
  n: z.literal(1).nullish().describe("only one choice per request is supported"),
  user: z.string().nullish(),
};

const contentPart = z.object({ type: z.literal("text"), text: z.string() });
const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]).describe("tool and function messages are not supported"),
  content: z.union([z.string(), z.array(contentPart)]).describe("text, or an array of text parts"),
});

export const ChatCompletionRequestSchema = z.object({
  ...common,
  messages: z.array(message).min(1).describe("the conversation so far"),
  max_completion_tokens: z.number().int().min(1).nullish().describe("newer name of max_tokens"),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const CompletionRequestSchema = z.object({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]).describe("the text to continue (one prompt per request)"),
  echo: z.literal(false).nullish().describe("echo is not supported"),
  logprobs: z.null().optional().describe("logprobs are not supported"),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

/** Parses a body with a schema; the first problem becomes a 400 naming the field, as OpenAI's API does. */
export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "the request body must be a JSON object.", "invalid_request_error");
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.join(".") || null;
  throw new HttpError(400, `${param ?? "body"}: ${issue.message}`, "invalid_request_error", "invalid_value", param);
}

export function chatMessages(request: ChatCompletionRequest): ChatMessage[] {
  return request.messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: (typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join("")).normalize("NFC"),
  }));
}

/** OpenAI's defaults (temperature 1, top_p 1, no top-k or min-p), then the request's values. */
export function samplingOf(request: ChatCompletionRequest | CompletionRequest, defaultMaxTokens: number): SamplingInput {
  const maxTokens = ("max_completion_tokens" in request ? request.max_completion_tokens : undefined) ?? request.max_tokens ?? defaultMaxTokens;
  return {
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    topK: request.top_k ?? 0,
    minP: request.min_p ?? 0,
    repeatPenalty: request.repeat_penalty ?? 1,
    frequencyPenalty: request.frequency_penalty ?? 0,
    presencePenalty: request.presence_penalty ?? 0,
    maxTokens,
    stop: request.stop == null ? [] : typeof request.stop === "string" ? [request.stop] : request.stop,
    ...(request.seed != null ? { seed: request.seed } : {}),
  };
}
