// Training jobs behind the local UI's API: a bad config is refused before any folder exists, a training process
// killed mid-run leaves the server answering and reports a bilingual error over the event stream, and a restarted
// server lists the run from disk with its curve.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";
import type { RunSummary, UiEvent } from "../../src/server/ui-jobs.js";
import { STORIES_260K } from "../helpers/test-models.js";

async function call(server: UiServer, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(new URL(route, server.url), {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Reads the server's event stream until `until` accepts an event; returns every event seen. */
async function waitForEvent(server: UiServer, start: () => Promise<void>, until: (e: UiEvent) => boolean, onEvent: (e: UiEvent) => void = () => {}): Promise<UiEvent[]> {
  const controller = new AbortController();
  const response = await fetch(new URL("/api/events", server.url), { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const seen: UiEvent[] = [];
  let buffer = "";
  await start();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("event stream ended");
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) continue;
      const event = JSON.parse(data) as UiEvent;
      seen.push(event);
      onEvent(event);
      if (until(event)) {
        controller.abort();
        return seen;
      }
    }
  }
}

describe("training jobs behind localtune ui", () => {
  let workspace = "";
  let docs = "";
  let server: UiServer;
  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-jobs-"));
    docs = path.join(workspace, "docs");
    fs.mkdirSync(docs);
    const words = ["Lily", "Tom", "ball", "park", "happy", "dog", "sun", "tree", "ran", "saw", "played", "big"];
    const text = Array.from({ length: 3000 }, (_, i) => words[(i * 7 + (i >> 3)) % words.length]).join(" ");
    fs.writeFileSync(path.join(docs, "story.txt"), `Once upon a time ${text}.\n`);
    server = await startUiServer({ port: 0, workspace });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  const config = (steps: number) => ({ method: "lora", model: STORIES_260K, data: [docs], steps, ctx: 32, batch: 2, methodOptions: { rank: 2 } });

  it("refuses a bad config before creating anything", async () => {
    const unknown = await call(server, "POST", "/api/train", { name: "bad", config: { ...config(5), method: "nope" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.name).toBe("InvalidConfigError");
    expect(unknown.json.en).toMatch(/unknown method "nope"/);
    expect(unknown.json.ko).toMatch(/알 수 없는 방법/);
    const badOption = await call(server, "POST", "/api/train", { name: "bad", config: { ...config(5), methodOptions: { rank: 0 } } });
    expect(badOption.status).toBe(400);
    expect(badOption.json.en).toMatch(/invalid lora options: rank/);
    expect(fs.existsSync(path.join(workspace, "runs", "bad"))).toBe(false);
  });

  it("survives a training process killed mid-run and shows its error; a restarted server lists the run", async () => {
    let pid = 0;
    const events = await waitForEvent(
      server,
      async () => {
        const started = await call(server, "POST", "/api/train", { name: "killed", config: config(100_000) });
        expect(started.status).toBe(200);
        expect(started.json.run).toBe(path.join(workspace, "runs", "killed"));
      },
      (e) => e.kind === "job" && e.status === "failed",
      (e) => {
        if (e.kind === "train" && e.event.type === "start") pid = e.event.pid;
        // A few steps in, the process dies as a native abort would kill it.
        if (e.kind === "train" && e.event.type === "step" && e.event.step === 3) process.kill(pid, "SIGKILL");
      },
    );
    expect(pid).toBeGreaterThan(0);
    const failed = events.at(-1) as Extract<UiEvent, { kind: "job" }>;
    expect(failed.error?.name).toBe("TrainingCrashedError");
    expect(failed.error?.en).toMatch(/killed by SIGKILL/);
    expect(failed.error?.ko).toMatch(/비정상 종료/);

    const runs = (await call(server, "GET", "/api/runs")).json as RunSummary[];
    const run = runs.find((r) => r.name === "killed")!;
    expect(run.status).toBe("failed");
    expect(run.error?.en).toMatch(/SIGKILL/);
    const steps = run.metrics.filter((m) => m.loss !== undefined).map((m) => m.step);
    expect(steps.slice(0, 3)).toEqual([1, 2, 3]);

    // The same workspace served again: the run and its curve come from disk.
    await server.close();
    server = await startUiServer({ port: 0, workspace });
    const again = ((await call(server, "GET", "/api/runs")).json as RunSummary[]).find((r) => r.name === "killed")!;
    const onDisk = fs.readFileSync(path.join(workspace, "runs", "killed", "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(again.metrics).toEqual(onDisk);
    expect(again.method).toBe("lora");
    expect(again.status).toBe("incomplete");
    // The name is taken: the library's refusal reaches the page, and the old run stays as it was.
    const reused = await call(server, "POST", "/api/train", { name: "killed", config: config(5) });
    expect(reused.status).toBe(400);
    expect(reused.json.en).toMatch(/already holds a run/);
  });
});
