// The OpenAI-compatible server on stories260K, exercised with a real HTTP client (Node's fetch, i.e. undici).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelHost, resolveSampling } from "../../src/prompt/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { writeTinyLora } from "../helpers/tiny-lora.js";

const REFERENCE = fs.readFileSync(new URL("../fixtures/prompt/stories260K-greedy-200.txt", import.meta.url), "utf8");
const TOKEN = "test-secret-token";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-serve-"));
const lora = path.join(dir, "tiny-lora.gguf");

let host: ModelHost;
let server: RunningServer;
const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(server.url + path, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });

/** Parses an SSE body into its data payloads (the last one must be [DONE]). */
async function readEvents(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      expect(block.startsWith("data: ")).toBe(true);
      return block.slice("data: ".length);
    });
}

beforeAll(async () => {
  await writeTinyLora(lora);
  host = await ModelHost.open("models/stories260K.gguf", { gpu: "cpu", threads: 1, contextSize: 1024, parallel: 2 });
  server = await startServer({ host, adapters: [{ path: lora }], port: 0, token: TOKEN, bodyLimit: 8192 });
});
afterAll(async () => {
  await server?.close();
  await host?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("serve", () => {
  it("listens on 127.0.0.1 and lists the base model and each adapter", async () => {
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
    const response = await fetch(`${server.url}/v1/models`, { headers: auth });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string }> };
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual(["stories260K", "tiny-lora"]);
    expect(body.data.every((m) => m.object === "model")).toBe(true);
  });

  it("an adapter's model id generates with that adapter", async () => {
    const request = (model: string) => post("/v1/completions", { model, prompt: "Once upon a time", max_tokens: 30, temperature: 0 });
    const text = async (r: Response) => ((await r.json()) as { choices: Array<{ text: string }> }).choices[0]!.text;
    const [base, adapted] = [await text(await request("stories260K")), await text(await request("tiny-lora"))];
    const direct = await (await host.generator([{ path: lora }])).generate({ prompt: "Once upon a time", sampling: resolveSampling({ temperature: 0, topK: 0, topP: 1, minP: 0, maxTokens: 30 }) });
    expect(adapted).toBe(direct.text);
    expect(adapted).not.toBe(base);
  });

  it("/v1/completions greedy text matches llama2.c's reference, with usage", async () => {
    const response = await post("/v1/completions", { model: "stories260K", prompt: "Once upon a time", max_tokens: 30, temperature: 0 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: Array<{ text: string; finish_reason: string }>; usage: Record<string, number> };
    expect(body.object).toBe("text_completion");
    const text = body.choices[0]!.text;
    expect(REFERENCE.startsWith("Once upon a time" + text)).toBe(true);
    expect(text.length).toBeGreaterThan(60);
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.usage).toEqual({ prompt_tokens: 5, completion_tokens: 30, total_tokens: 35 });
  });

  it("streams completions as SSE chunks ending in data: [DONE], same text as without streaming", async () => {
    const request = { model: "stories260K", prompt: "Once upon a time", max_tokens: 30, temperature: 0 };
    const plain = (await (await post("/v1/completions", request)).json()) as { choices: Array<{ text: string }> };
    const response = await post("/v1/completions", { ...request, stream: true });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readEvents(response);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ text: string; finish_reason: string | null }> });
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((c) => c.choices[0]!.text).join("")).toBe(plain.choices[0]!.text);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("length");
  });

  it("/v1/chat/completions answers in the chat layout, streaming and not, with the same greedy text", async () => {
    const request = { model: "stories260K", messages: [{ role: "system", content: "Tell stories." }, { role: "user", content: "Tell me about a cat." }], max_tokens: 24, temperature: 0 };
    const generator = await host.generator();
    const { chatFormatFor } = await import("../../src/prompt/index.js");
    const rendered = chatFormatFor(host.vocab).render([
      { role: "system", content: "Tell stories." },
      { role: "user", content: "Tell me about a cat." },
    ]);
    const direct = await generator.generate({ prompt: rendered.tokens, stopTriggers: rendered.stopTriggers, sampling: resolveSampling({ temperature: 0, topK: 0, topP: 1, minP: 0, maxTokens: 24 }) });

    const plain = (await (await post("/v1/chat/completions", request)).json()) as { object: string; choices: Array<{ message: { role: string; content: string } }> };
    expect(plain.object).toBe("chat.completion");
    expect(plain.choices[0]!.message).toEqual({ role: "assistant", content: direct.text });
    expect(direct.text.length).toBeGreaterThan(10);

    const events = await readEvents(await post("/v1/chat/completions", { ...request, stream: true, stream_options: { include_usage: true } }));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: Array<{ delta: { role?: string; content?: string } }>; usage?: { completion_tokens: number } });
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(direct.text);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBe(direct.completionTokens);
  });

  it("bad JSON and bad fields get 400 with an OpenAI-style error", async () => {
    const badJson = await post("/v1/chat/completions", '{"model": "stories260K", "messages": [');
    expect(badJson.status).toBe(400);
    const badJsonBody = (await badJson.json()) as { error: { message: string; type: string; code: string } };
    expect(badJsonBody.error.type).toBe("invalid_request_error");
    expect(badJsonBody.error.code).toBe("invalid_json");

    const badField = await post("/v1/chat/completions", { model: "stories260K", messages: [{ role: "user", content: "hi" }], temperature: "hot" });
    expect(badField.status).toBe(400);
    expect(((await badField.json()) as { error: { param: string } }).error.param).toBe("temperature");

    const noMessages = await post("/v1/chat/completions", { model: "stories260K" });
    expect(noMessages.status).toBe(400);
    expect(((await noMessages.json()) as { error: { param: string } }).error.param).toBe("messages");

    const twoChoices = await post("/v1/completions", { model: "stories260K", prompt: "x", n: 2 });
    expect(twoChoices.status).toBe(400);

    const tooLong = await post("/v1/completions", { model: "stories260K", prompt: "Once upon a time ".repeat(400) });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { error: { code: string } }).error.code).toBe("context_length_exceeded");

    const unknownModel = await post("/v1/completions", { model: "gpt-4", prompt: "x" });
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });

  it("an oversized body gets 413", async () => {
    const response = await post("/v1/completions", { model: "stories260K", prompt: "a".repeat(20_000) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
  });

  it("a missing or wrong token gets 401; /health needs none", async () => {
    const wrong = await fetch(`${server.url}/v1/models`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe("Bearer");
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    const missing = await post("/v1/completions", { model: "stories260K", prompt: "x" }, { "content-type": "application/json" });
    expect(missing.status).toBe(401);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("8 concurrent requests are queued on 2 sequences and all answered correctly", async () => {
    const before = server.stats.completed;
    let peakActive = 0;
    let peakQueued = 0;
    const watch = setInterval(() => {
      peakActive = Math.max(peakActive, server.stats.active);
      peakQueued = Math.max(peakQueued, server.stats.queued);
    }, 1);
    const prompts = ["Once upon a time", "One day", "Lily", "The cat", "Once upon a time", "A big dog", "Tom", "The sun"];
    const responses = await Promise.all(prompts.map((prompt) => post("/v1/completions", { model: "stories260K", prompt, max_tokens: 40, temperature: 0 })));
    clearInterval(watch);
    const texts = await Promise.all(responses.map(async (r) => ((await r.json()) as { choices: Array<{ text: string }> }).choices[0]!.text));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    // Greedy answers do not depend on what else ran: each equals the same prompt run alone.
    const generator = await host.generator();
    for (const [i, prompt] of prompts.entries()) {
      const alone = await generator.generate({ prompt, sampling: resolveSampling({ temperature: 0, topK: 0, topP: 1, minP: 0, maxTokens: 40 }) });
      expect(texts[i]).toBe(alone.text);
    }
    expect(server.stats.completed - before).toBe(8);
    expect(peakActive).toBeLessThanOrEqual(2);
    expect(peakQueued).toBeGreaterThan(0);
  });

  it("a client that disconnects mid-stream stops its generation; the next request is served at once", async () => {
    const abortedBefore = server.stats.aborted;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/completions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ model: "stories260K", prompt: "Once upon a time", max_tokens: 100_000, temperature: 0.8, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    controller.abort();
    const deadline = Date.now() + 5000;
    while (server.stats.aborted === abortedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats.aborted).toBe(abortedBefore + 1);
    expect(server.stats.active).toBe(0);
    const started = performance.now();
    const next = await post("/v1/completions", { model: "stories260K", prompt: "One day", max_tokens: 10, temperature: 0 });
    expect(next.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
