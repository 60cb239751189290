// Small HTTP helpers for the OpenAI-compatible server: bounded JSON bodies, JSON replies, OpenAI-style errors.
// A reply sent before the body was read closes the connection, so no byte of an unread body is ever consumed
// (Node would otherwise read and discard the whole body, however large, to keep the connection alive).
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

/** True when the request announced a body that has not been read to its end. */
function hasUnreadBody(req: IncomingMessage): boolean {
  const declared = Number(req.headers["content-length"] ?? 0);
  const announced = req.headers["transfer-encoding"] !== undefined || (Number.isFinite(declared) ? declared > 0 : true);
  return announced && !req.complete;
}

/**
 * Reads the whole body as JSON; more than `limit` bytes is a 413, checked on Content-Length before reading a byte
 * and while reading (chunked bodies). Events rather than `for await`: leaving an async iterator early destroys the
 * socket, and the 413 could not be sent.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const tooLarge = () =>
    new HttpError(413, `request body is larger than the server's limit of ${limit} bytes; send a shorter prompt or start the server with a larger --body-limit.`, "invalid_request_error", "request_too_large");
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onEnd = () => {
      stop();
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return reject(new HttpError(400, "the request body is empty; send a JSON object.", "invalid_request_error", "invalid_json"));
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`, "invalid_request_error", "invalid_json"));
      }
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...extraHeaders };
  // Not reading the rest means closing: Node would otherwise drain it to reuse the connection.
  if (hasUnreadBody(res.req)) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, errorBody(error), error.status === 401 ? { "www-authenticate": "Bearer" } : {});
}

/** OpenAI's error object. */
export function errorBody(error: HttpError): { error: { message: string; type: string; param: string | null; code: string | null } } {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/**
 * Starts a Server-Sent Events reply; each `send` is one `data:` event, `done` sends `data: [DONE]` and ends, `fail`
 * sends an OpenAI-style error event and ends without [DONE] (how OpenAI's API reports an error mid-stream).
 */
export function startEventStream(res: ServerResponse): { send(data: unknown): void; done(): void; fail(error: HttpError): void } {
  // setHeader, not writeHead's object: the server's error path reads the content type back to end a stream cleanly.
  res.setHeader("content-type", "text/event-stream; charset=utf-8");
  res.setHeader("cache-control", "no-cache");
  res.setHeader("connection", "keep-alive");
  res.writeHead(200);
  res.flushHeaders();
  return {
    send: (data) => void res.write(`data: ${JSON.stringify(data)}\n\n`),
    done: () => {
      res.write("data: [DONE]\n\n");
      res.end();
    },
    fail: (error) => {
      res.end(`data: ${JSON.stringify(errorBody(error))}\n\n`);
    },
  };
}
