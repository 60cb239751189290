// Small HTTP helpers for the OpenAI-compatible server: bounded JSON bodies, JSON replies, OpenAI-style errors.
import type { IncomingMessage, ServerResponse } from "node:http";

/** An error the client caused (or may retry), sent as `{"error": {message, type, param, code}}` like OpenAI's API. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = "invalid_request_error",
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** Reads the whole body as JSON; more than `limit` bytes is a 413 (checked on Content-Length and while reading). */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  const tooLarge = () =>
    new HttpError(413, `request body is larger than the server's limit of ${limit} bytes; send a shorter prompt or start the server with a larger --body-limit.`, "invalid_request_error", "request_too_large");
  if (Number.isFinite(declared) && declared > limit) {
    // Draining (not destroying) lets the 413 reply reach the client before the connection closes.
    req.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "the request body is empty; send a JSON object.", "invalid_request_error", "invalid_json");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`, "invalid_request_error", "invalid_json");
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  const headers: Record<string, string> = error.status === 401 ? { "www-authenticate": "Bearer" } : {};
  // After a 413 the rest of the body is not read: close the connection rather than parse leftovers as a request.
  if (error.status === 413) headers.connection = "close";
  sendJson(res, error.status, { error: { message: error.message, type: error.type, param: error.param, code: error.code } }, headers);
}

/** Starts a Server-Sent Events reply; each `send` is one `data:` event, `done` sends `data: [DONE]` and ends. */
export function startEventStream(res: ServerResponse): { send(data: unknown): void; done(): void } {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
  res.flushHeaders();
  return {
    send: (data) => void res.write(`data: ${JSON.stringify(data)}\n\n`),
    done: () => {
      res.write("data: [DONE]\n\n");
      res.end();
    },
  };
}
