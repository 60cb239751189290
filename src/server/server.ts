// The OpenAI-compatible local API: /v1/models, /v1/chat/completions, /v1/completions (JSON or SSE streaming).
// Requests wait for a free context sequence, or the engine's turn (FIFO); a client that disconnects aborts its own
// generation, and so does the server's time limit, so no request holds a sequence forever. max_tokens is capped by
// the room the context leaves after the prompt and by the server's limit (as llama.cpp's server caps n_predict). Each adapter is a model id, on whichever path its kind needs (the prompt layer's ModelHost decides).
import crypto from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidConfigError, PromptTooLongError } from "../errors.js";
import { modelNameOf, resolveSampling, type AdapterSpec, type ChatFormat, type GenerateRequest, type GenerationResult, type ModelHost, type TextGenerator } from "../prompt/index.js";
import { errorBody, HttpError, readJsonBody, sendError, sendJson, startEventStream } from "./http.js";
import { ChatCompletionRequestSchema, chatMessages, CompletionRequestSchema, parseRequest, samplingOf } from "./openai-schema.js";

export interface ServeOptions {
  /** The base model. The server does not dispose it. */
  host: ModelHost;
  /** Adapters served beside the base model, each under its file name as a model id (GGUF/PEFT LoRA, or one
   * an adapter that runs on the engine each). */
  adapters?: AdapterSpec[];
  /** Interface to listen on. Default 127.0.0.1 (this machine only). */
  hostname?: string;
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  /** When set, every /v1 request needs `Authorization: Bearer <token>` (checked on the headers, before any body
   * byte is read), and /health without it shows only `{status}`. */
  token?: string;
  /** Largest request body in bytes (413 above). Default 1 MiB. */
  bodyLimit?: number;
  /** Requests allowed to wait for their turn before new ones get 429. Default 64. */
  maxQueue?: number;
  /** max_tokens when a request gives none. Default 512. */
  defaultMaxTokens?: number;
  /** The most tokens one request may generate: a larger max_tokens is capped to it (finish_reason "length").
   * Default 4096. */
  maxTokensLimit?: number;
  /** Milliseconds a request may take from its arrival at the generator (queueing included); past it, generation
   * stops, its sequence is freed and the client gets a 504 (or an error event when streaming). Default 300,000. */
  requestTimeoutMs?: number;
}

/** Defaults of the limits above, shared with the CLI's help. */
export const SERVER_LIMITS = { maxTokens: 4096, requestTimeoutMs: 300_000, bodyLimit: 1024 * 1024 } as const;

export interface ServerStats {
  /** Requests generating now. */
  active: number;
  /** Requests waiting for their turn. */
  queued: number;
  completed: number;
  /** Generations stopped because the client went away. */
  aborted: number;
  failed: number;
  /** Generations stopped by the server's time limit (also counted in failed). */
  timedOut: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Model ids served: the base first, then each adapter. */
  models: string[];
  stats: ServerStats;
  close(): Promise<void>;
}

interface ServedModel {
  id: string;
  generator: TextGenerator;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const bodyLimit = options.bodyLimit ?? SERVER_LIMITS.bodyLimit;
  const maxTokensLimit = options.maxTokensLimit ?? SERVER_LIMITS.maxTokens;
  const requestTimeoutMs = options.requestTimeoutMs ?? SERVER_LIMITS.requestTimeoutMs;
  for (const [name, value] of [["maxTokensLimit", maxTokensLimit], ["requestTimeoutMs", requestTimeoutMs], ["bodyLimit", bodyLimit]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidConfigError({ en: `server option ${name} must be a positive integer, got ${value}.`, ko: `서버 옵션 ${name}은(는) 양의 정수여야 하지만 ${value}입니다.` });
    }
  }
  const maxQueue = options.maxQueue ?? 64;
  const defaultMaxTokens = options.defaultMaxTokens ?? 512;
  const created = Math.floor(Date.now() / 1000);
  const format: ChatFormat = options.host.chatFormat();

  // Adapters load up front: a bad file fails at start, not on a user's first request.
  const served: ServedModel[] = [{ id: options.host.name, generator: await options.host.generator() }];
  for (const adapter of options.adapters ?? []) {
    const id = modelNameOf(adapter.path);
    if (served.some((m) => m.id === id)) {
      throw new InvalidConfigError({ en: `two served models would be called "${id}"; rename one adapter file.`, ko: `제공할 모델 두 개의 이름이 "${id}"로 같습니다. 어댑터 파일 이름을 바꾸세요.` });
    }
    served.push({ id, generator: await options.host.generator([adapter]) });
  }
  const counts = { completed: 0, aborted: 0, failed: 0, timedOut: 0 };
  // Different model ids may share a generator (the same adapter set): count each once.
  const generators = [...new Set(served.map((m) => m.generator))];
  const stats: ServerStats = {
    get active() {
      return generators.reduce((n, g) => n + g.active, 0);
    },
    get queued() {
      return generators.reduce((n, g) => n + g.queued, 0);
    },
    get completed() {
      return counts.completed;
    },
    get aborted() {
      return counts.aborted;
    },
    get failed() {
      return counts.failed;
    },
    get timedOut() {
      return counts.timedOut;
    },
  };

  const authorized = (req: IncomingMessage): boolean => {
    if (options.token === undefined) return true;
    const header = req.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
    const expected = Buffer.from(options.token);
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  };

  const findModel = (id: string): ServedModel => {
    const model = served.find((m) => m.id === id);
    if (!model) throw new HttpError(404, `the model "${id}" does not exist; /v1/models lists: ${served.map((m) => m.id).join(", ")}.`, "invalid_request_error", "model_not_found", "model");
    return model;
  };

  /**
   * The sampling of a request with max_tokens capped: by the server's limit, and by the room the context leaves
   * after the prompt (one more token kept for a BOS the generator may add), so generation never runs past the
   * context (llama.cpp's context shift would otherwise let it go on, forgetting the prompt).
   */
  const cappedSampling = (request: Parameters<typeof samplingOf>[0], generator: TextGenerator, promptTokens: number) => {
    const input = samplingOf(request, defaultMaxTokens);
    const room = generator.contextSize - promptTokens - 1;
    return resolveSampling({ ...input, maxTokens: Math.max(1, Math.min(input.maxTokens ?? defaultMaxTokens, maxTokensLimit, room)) });
  };

  /** Runs one generation with queue accounting and a signal that fires when the client disconnects or time is up. */
  const generate = async (model: ServedModel, request: Omit<GenerateRequest, "signal">, res: ServerResponse): Promise<GenerationResult> => {
    if (stats.queued >= maxQueue) throw new HttpError(429, `the server already has ${maxQueue} requests waiting; retry shortly.`, "server_busy", "queue_full");
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, requestTimeoutMs);
    res.on("close", onClose);
    try {
      const result = await model.generator.generate({ ...request, signal: controller.signal });
      if (result.stopReason === "abort" && timedOut) {
        counts.timedOut++;
        counts.failed++;
        throw new HttpError(
          504,
          `the request took longer than the server's limit of ${requestTimeoutMs / 1000} s (${result.completionTokens} tokens generated) and was stopped; ask for fewer max_tokens, retry when the server is less busy, or start it with a larger --request-timeout.`,
          "server_error",
          "request_timeout",
        );
      }
      if (result.stopReason === "abort") counts.aborted++;
      else counts.completed++;
      return result;
    } catch (error) {
      if (!(error instanceof HttpError)) counts.failed++;
      throw error;
    } finally {
      clearTimeout(timer);
      res.off("close", onClose);
    }
  };

  const handleChat = async (body: unknown, res: ServerResponse) => {
    const request = parseRequest(ChatCompletionRequestSchema, body);
    const model = findModel(request.model);
    const rendered = format.render(chatMessages(request));
    const sampling = cappedSampling(request, model.generator, rendered.tokens.length);
    const id = `chatcmpl-${crypto.randomUUID()}`;
    const base = { id, created: Math.floor(Date.now() / 1000), model: model.id, system_fingerprint: `seed-${sampling.seed}` };
    if (request.stream) {
      const stream = startEventStream(res);
      const chunk = (delta: object, finish: string | null) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
      stream.send(chunk({ role: "assistant", content: "" }, null));
      const result = await generate(model, { prompt: rendered.tokens, stopTriggers: rendered.stopTriggers, sampling, onText: (text) => stream.send(chunk({ content: text }, null)) }, res);
      if (result.stopReason === "abort") return res.destroy();
      stream.send(chunk({}, finishReason(result)));
      if (request.stream_options?.include_usage) stream.send({ ...base, object: "chat.completion.chunk", choices: [], usage: usage(result) });
      return stream.done();
    }
    const result = await generate(model, { prompt: rendered.tokens, stopTriggers: rendered.stopTriggers, sampling }, res);
    if (result.stopReason === "abort") return;
    sendJson(res, 200, {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: result.text }, logprobs: null, finish_reason: finishReason(result) }],
      usage: usage(result),
    });
  };

  const handleCompletion = async (body: unknown, res: ServerResponse) => {
    const request = parseRequest(CompletionRequestSchema, body);
    const model = findModel(request.model);
    const prompt = (typeof request.prompt === "string" ? request.prompt : request.prompt[0]!).normalize("NFC");
    const sampling = cappedSampling(request, model.generator, model.generator.countTokens(prompt) + 1);
    const id = `cmpl-${crypto.randomUUID()}`;
    const base = { id, object: "text_completion", created: Math.floor(Date.now() / 1000), model: model.id, system_fingerprint: `seed-${sampling.seed}` };
    if (request.stream) {
      const stream = startEventStream(res);
      const chunk = (text: string, finish: string | null) => ({ ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] });
      const result = await generate(model, { prompt, sampling, onText: (text) => stream.send(chunk(text, null)) }, res);
      if (result.stopReason === "abort") return res.destroy();
      stream.send(chunk("", finishReason(result)));
      if (request.stream_options?.include_usage) stream.send({ ...base, choices: [], usage: usage(result) });
      return stream.done();
    }
    const result = await generate(model, { prompt, sampling }, res);
    if (result.stopReason === "abort") return;
    sendJson(res, 200, { ...base, choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: finishReason(result) }], usage: usage(result) });
  };

  const modelObject = (m: ServedModel) => ({ id: m.id, object: "model", created, owned_by: "localtune" });

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/health" && req.method === "GET") {
      // Model ids and counters are for those holding the token; anyone may learn that the server is up.
      if (!authorized(req)) return sendJson(res, 200, { status: "ok" });
      const { active, queued, completed, aborted, failed, timedOut } = stats;
      return sendJson(res, 200, { status: "ok", models: served.map((m) => m.id), active, queued, completed, aborted, failed, timedOut });
    }
    if (!path.startsWith("/v1/")) throw new HttpError(404, `no route ${req.method} ${url.pathname}; the API lives under /v1.`, "invalid_request_error", "not_found");
    // Decided on the headers alone: the body of a request without the token is never read (sendJson closes).
    if (!authorized(req)) {
      throw new HttpError(401, "missing or wrong API key: send Authorization: Bearer <token> with the server's --token.", "invalid_request_error", "invalid_api_key");
    }
    const allow = (method: string) => {
      if (req.method !== method) throw new HttpError(405, `${url.pathname} accepts ${method}, not ${req.method}.`, "invalid_request_error", "method_not_allowed");
    };
    if (path === "/v1/models") {
      allow("GET");
      return sendJson(res, 200, { object: "list", data: served.map(modelObject) });
    }
    if (path.startsWith("/v1/models/")) {
      allow("GET");
      return sendJson(res, 200, modelObject(findModel(decodeURIComponent(path.slice("/v1/models/".length)))));
    }
    if (path === "/v1/chat/completions") {
      allow("POST");
      return handleChat(await readJsonBody(req, bodyLimit), res);
    }
    if (path === "/v1/completions") {
      allow("POST");
      return handleCompletion(await readJsonBody(req, bodyLimit), res);
    }
    throw new HttpError(404, `no route ${req.method} ${url.pathname}.`, "invalid_request_error", "not_found");
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const httpError =
        error instanceof HttpError
          ? error
          : error instanceof PromptTooLongError
            ? new HttpError(400, error.message, "invalid_request_error", "context_length_exceeded", "messages")
            : error instanceof InvalidConfigError
              ? new HttpError(400, error.message, "invalid_request_error", "invalid_value")
              : new HttpError(500, `generation failed: ${(error as Error).message}`, "server_error", "internal_error");
      if (!res.headersSent) sendError(res, httpError);
      else if (String(res.getHeader("content-type")).startsWith("text/event-stream") && !res.writableEnded) res.end(`data: ${JSON.stringify(errorBody(httpError))}\n\n`);
      else res.destroy();
    });
  });
  // Headers and slow bodies must not hold a connection forever. requestTimeout covers receiving the request only;
  // generation has its own limit (requestTimeoutMs).
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    models: served.map((m) => m.id),
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function finishReason(result: GenerationResult): "stop" | "length" {
  return result.stopReason === "length" ? "length" : "stop";
}

function usage(result: GenerationResult) {
  return { prompt_tokens: result.promptTokens, completion_tokens: result.completionTokens, total_tokens: result.promptTokens + result.completionTokens };
}
