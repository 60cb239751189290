// The Playground's generation through the local UI's API: prompts built like `localtune prompts` builds them
// (built-in template, few-shot examples), streamed from a worker process; a killed worker fails only its request.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt, loadFewShotPool, resolveTemplateSpec } from "../../src/prompt/index.js";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";
import { STORIES_260K } from "../helpers/test-models.js";

interface Streamed {
  status: number;
  events: Array<{ event: string; data: any }>;
}

async function generate(server: UiServer, body: unknown, onEvent: (event: string, data: any) => void = () => {}): Promise<Streamed> {
  const response = await fetch(new URL("/api/generate", server.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (response.headers.get("content-type")?.startsWith("application/json")) return { status: response.status, events: [{ event: "json", data: await response.json() }] };
  const events: Streamed["events"] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const blocks = buffer.split("\n\n");
    buffer = blocks.pop()!;
    for (const block of blocks) {
      const event = /^event: (.*)$/m.exec(block)![1]!;
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!);
      events.push({ event, data });
      onEvent(event, data);
    }
  }
  return { status: response.status, events };
}

/** The generation worker: the child of this process running ui-generate-child.ts. */
function workerPid(): number | undefined {
  const lines = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" }).split("\n");
  const line = lines.find((l) => l.includes("ui-generate-child"));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

describe("Playground generation behind localtune ui", () => {
  let workspace = "";
  let server: UiServer;
  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-gen-"));
    fs.writeFileSync(
      path.join(workspace, "examples.jsonl"),
      ['{"question": "Who has a dog?", "answer": "Tom"}', '{"question": "Where is the ball?", "answer": "In the park"}', '{"question": "What color is the kite?", "answer": "Blue"}'].join("\n") + "\n",
    );
    server = await startUiServer({ port: 0, workspace });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("builds the prompt as `localtune prompts` does and streams the completion", async () => {
    const request = { model: STORIES_260K, template: "qa", vars: { context: "Lily had a red ball.", question: "What did Lily have?" }, examples: path.join(workspace, "examples.jsonl"), fewShot: 2, lang: "en", sampling: { maxTokens: 12, temperature: 0 } };
    const { status, events } = await generate(server, request);
    expect(status).toBe(200);
    const expected = buildPrompt({ id: "playground", vars: { prompt: "", ...request.vars } }, 0, resolveTemplateSpec("qa", "en", 2), loadFewShotPool(request.examples), 42).prompt;
    expect(events[0]).toEqual({ event: "prompt", data: { prompt: expected } });
    expect(expected).toMatch(/^Answer the question using only the context\.\n\nQuestion: .+\nAnswer: .+\n\nQuestion: .+\nAnswer: .+\n\nContext: Lily had a red ball\.\nQuestion: What did Lily have\?\nAnswer:$/);
    const done = events.find((e) => e.event === "done")!.data;
    const streamed = events.filter((e) => e.event === "text").map((e) => e.data.text).join("");
    expect(streamed).toBe(done.text);
    expect(done.text.length).toBeGreaterThan(0);
    // Greedy is deterministic: the same request gives the same text.
    const again = await generate(server, request);
    expect(again.events.find((e) => e.event === "done")!.data.text).toBe(done.text);
  });

  it("refuses a missing template variable and an unknown template with a clear error", async () => {
    const missing = await generate(server, { model: STORIES_260K, template: "qa", vars: { question: "Who?" } });
    expect(missing.status).toBe(400);
    expect(missing.events[0]!.data.name).toBe("TemplateVariableError");
    const unknown = await generate(server, { model: STORIES_260K, template: "/etc/passwd", prompt: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.events[0]!.data.en).toMatch(/unknown template/);
  });

  it.skipIf(process.platform === "win32")("survives a generation process killed mid-stream; the next request works", async () => {
    let killed = false;
    const crashed = await generate(server, { model: STORIES_260K, prompt: "Once upon a time", sampling: { maxTokens: 4000, temperature: 0.8 } }, (event) => {
      if (event === "text" && !killed) {
        killed = true;
        process.kill(workerPid()!, "SIGKILL");
      }
    });
    expect(killed).toBe(true);
    const error = crashed.events.at(-1)!;
    expect(error.event).toBe("error");
    expect(error.data.name).toBe("JobCrashedError");
    expect(error.data.en).toMatch(/killed by SIGKILL/);
    const after = await generate(server, { model: STORIES_260K, prompt: "Once upon a time", sampling: { maxTokens: 8, temperature: 0 } });
    expect(after.events.at(-1)!.event).toBe("done");
  });
});
