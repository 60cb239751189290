// The server's limits on stories260K over 127.0.0.1: max_tokens capped by the context and --max-tokens-limit, a time
// limit that ends a request with an error and frees its sequence, /health without the token showing only its status,
// unauthenticated and oversized bodies rejected on the headers with the connection closed (never read), and the
// token from --token-file or LOCALTUNE_API_TOKEN. Every loop here is bounded.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelHost } from "../../src/prompt/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";

const TOKEN = "limits-secret";
const CONTEXT = 128;
const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-serve-limits-"));

let host: ModelHost;
/** Default limits, but a context of 128 tokens and one sequence. */
let roomy: RunningServer;
/** max_tokens capped at 40. */
let capped: RunningServer;
/** A 5 ms time limit: every generation runs past it. */
let hasty: RunningServer;

const post = (server: RunningServer, route: string, body: unknown) => fetch(server.url + route, { method: "POST", headers: auth, body: JSON.stringify(body) });
type Completion = { choices: Array<{ text: string; finish_reason: string }>; usage: { prompt_tokens: number; completion_tokens: number } };

beforeAll(async () => {
  host = await ModelHost.open("models/stories260K.gguf", { gpu: "cpu", threads: 1, contextSize: CONTEXT, parallel: 1 });
  roomy = await startServer({ host, port: 0, token: TOKEN, bodyLimit: 4096 });
  capped = await startServer({ host, port: 0, token: TOKEN, maxTokensLimit: 40 });
  hasty = await startServer({ host, port: 0, token: TOKEN, requestTimeoutMs: 5 });
});
afterAll(async () => {
  await Promise.all([roomy?.close(), capped?.close(), hasty?.close()]);
  await host?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Sends raw request headers (and `body` bytes, not the whole announced body), then collects what the server answers
 * until it closes the connection; rejects when it is still open after `waitMs` (the server is waiting for the body).
 */
function rawRequest(port: number, head: string, body: Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open ${waitMs} ms after answering: ${JSON.stringify(answer.slice(0, 200))}`));
    }, waitMs);
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    socket.on("error", () => undefined); // a reset after the server closed: what was answered is what counts
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(head.replaceAll("\n", "\r\n") + "\r\n");
    socket.write(body);
  });
}

describe("serve limits", () => {
  it("max_tokens 1e9 is capped by --max-tokens-limit (finish_reason length), not generated", async () => {
    const started = performance.now();
    const response = await post(capped, "/v1/completions", { model: "stories260K", prompt: "Once upon a time", max_tokens: 1e9, temperature: 0 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Completion;
    // The greedy continuation of this prompt has no end-of-text in its first 200 tokens (the llama2.c reference).
    expect(body.usage.completion_tokens).toBe(40);
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it("max_tokens beyond the context stops where the context ends, prompt included", async () => {
    const response = await post(roomy, "/v1/completions", { model: "stories260K", prompt: "Once upon a time", max_tokens: 3000, temperature: 0 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Completion;
    // node-llama-cpp rounds the context up (128 becomes 256): the generator says what it holds.
    const contextSize = (await host.generator()).contextSize;
    expect(contextSize).toBeGreaterThanOrEqual(CONTEXT);
    expect(body.usage.prompt_tokens + body.usage.completion_tokens).toBeLessThanOrEqual(contextSize);
    expect(body.usage.completion_tokens).toBeGreaterThan(contextSize / 2);
    expect(body.choices[0]!.finish_reason).toBe("length");
  }, 20_000);

  it("a request past the time limit ends with a 504 (an error event when streaming) and frees its sequence", async () => {
    const before = hasty.stats.timedOut;
    const plain = await post(hasty, "/v1/completions", { model: "stories260K", prompt: "Once upon a time", max_tokens: 100, temperature: 0 });
    expect(plain.status).toBe(504);
    expect(((await plain.json()) as { error: { code: string } }).error.code).toBe("request_timeout");

    const streamed = await post(hasty, "/v1/chat/completions", { model: "stories260K", messages: [{ role: "user", content: "Tell me a story." }], max_tokens: 100, stream: true });
    expect(streamed.status).toBe(200);
    const events = (await streamed.text()).split("\n\n").filter((e) => e.trim() !== "");
    expect(events.at(-1)).not.toBe("data: [DONE]");
    expect(JSON.parse(events.at(-1)!.slice("data: ".length))).toMatchObject({ error: { code: "request_timeout", type: "server_error" } });
    expect(hasty.stats.timedOut).toBe(before + 2);

    // The one sequence is free again: a request with the default limit is answered at once.
    expect(hasty.stats.active).toBe(0);
    const next = await post(roomy, "/v1/completions", { model: "stories260K", prompt: "One day", max_tokens: 10, temperature: 0 });
    expect(next.status).toBe(200);
  }, 20_000);

  it("/health shows only its status without the token, the counters with it", async () => {
    const open = await fetch(`${roomy.url}/health`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ status: "ok" });
    const wrong = await fetch(`${roomy.url}/health`, { headers: { authorization: "Bearer nope" } });
    expect(await wrong.json()).toEqual({ status: "ok" });
    const full = (await (await fetch(`${roomy.url}/health`, { headers: auth })).json()) as { models: string[]; completed: number };
    expect(full.models).toEqual(["stories260K"]);
    expect(typeof full.completed).toBe("number");
  });

  it("a request without the token is refused on its headers and its 50 MB body is never read", async () => {
    const head = `POST /v1/completions HTTP/1.1\nHost: 127.0.0.1\nContent-Type: application/json\nContent-Length: ${50 * 2 ** 20}\n`;
    const answer = await rawRequest(roomy.port, head, Buffer.alloc(64 * 1024, "a"));
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(answer).toContain("invalid_api_key");
  });

  it("a body over the limit is refused: announced (before reading) or chunked (while reading), connection closed", async () => {
    const announced = await rawRequest(roomy.port, `POST /v1/completions HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer ${TOKEN}\nContent-Length: ${50 * 2 ** 20}\n`, Buffer.alloc(0));
    expect(announced).toMatch(/^HTTP\/1\.1 413 /);
    expect(announced).toContain("request_too_large");
    // 3 chunks of 2 KB against a 4 KB limit, and the body never ends: the server answers after the second chunk.
    const chunk = `800\r\n${"a".repeat(0x800)}\r\n`;
    const chunked = await rawRequest(roomy.port, `POST /v1/completions HTTP/1.1\nHost: 127.0.0.1\nAuthorization: Bearer ${TOKEN}\nTransfer-Encoding: chunked\n`, Buffer.from(chunk.repeat(3)));
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    // A route that does not exist does not read the body either.
    const lost = await rawRequest(roomy.port, `POST /nowhere HTTP/1.1\nHost: 127.0.0.1\nContent-Length: ${50 * 2 ** 20}\n`, Buffer.alloc(1024, "a"));
    expect(lost).toMatch(/^HTTP\/1\.1 404 /);
  });
});

/** Runs `localtune serve` until it prints its address, calls `check` with the URL, then stops it with SIGTERM. */
async function withCli(args: string[], env: Record<string, string>, check: (url: string) => Promise<void>): Promise<void> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(process.execPath, ["bin/localtune.js", "--lang", "en", "serve", "--model", "models/stories260K.gguf", "--port", String(port), "--threads", "1", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${stderr}`)), 30_000);
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("/v1")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited with ${code}: ${stderr}`));
      });
    });
    await check(`http://127.0.0.1:${port}`);
  } finally {
    child.kill("SIGTERM");
  }
}

describe("serve token sources", () => {
  const models = (url: string, token?: string) => fetch(`${url}/v1/models`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it("--token-file: the token is read from a file and never appears on the command line", async () => {
    const file = path.join(dir, "token.txt");
    fs.writeFileSync(file, "from-a-file\n");
    await withCli(["--token-file", file], { LOCALTUNE_API_TOKEN: "" }, async (url) => {
      expect((await models(url)).status).toBe(401);
      expect((await models(url, "from-a-file")).status).toBe(200);
    });
  }, 60_000);

  it("LOCALTUNE_API_TOKEN is used when no flag names a token", async () => {
    await withCli([], { LOCALTUNE_API_TOKEN: "from-the-env" }, async (url) => {
      expect((await models(url)).status).toBe(401);
      expect((await models(url, "from-the-env")).status).toBe(200);
    });
  }, 60_000);

  it("an empty token file is refused before the server starts", async () => {
    const file = path.join(dir, "empty.txt");
    fs.writeFileSync(file, "\n");
    const child = spawn(process.execPath, ["bin/localtune.js", "--lang", "en", "serve", "--model", "models/stories260K.gguf", "--token-file", file], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain("token file");
    expect(stderr).toContain("is empty");
  }, 30_000);
});
