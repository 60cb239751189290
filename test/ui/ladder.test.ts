// A ladder started through the local UI's API: it runs in its own process, its rung events reach the event stream,
// and its report.html is served sandboxed from the ladder's folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UiEvent } from "../../src/server/ui-jobs.js";
import type { LadderSummary } from "../../src/server/ui-ladder.js";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";
import { STORIES_260K } from "../helpers/test-models.js";

describe("ladder behind localtune ui", () => {
  let workspace = "";
  let server: UiServer;
  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-ladder-"));
    // Three cloze items of the Maple Hill suite and its training text (the demo's corpus).
    const lines = fs.readFileSync("corpus/maple-hill/eval.jsonl", "utf8").split("\n").filter((l) => l.includes('"cloze"')).slice(0, 3);
    fs.writeFileSync(path.join(workspace, "suite.jsonl"), lines.join("\n") + "\n");
    server = await startUiServer({ port: 0, workspace });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("runs rung by rung in a child process and serves its report", async () => {
    const post = (route: string, body: unknown) => fetch(new URL(route, server.url), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const events: UiEvent[] = [];
    const controller = new AbortController();
    const stream = await fetch(new URL("/api/events", server.url), { signal: controller.signal });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const started = await post("/api/ladder", {
      name: "tiny",
      options: { model: STORIES_260K, data: [path.resolve("corpus/maple-hill/train.txt")], suite: path.join(workspace, "suite.jsonl"), methods: ["prompt", "lora-r2"], budget: "256", ctx: 32, batch: 2, threads: 1 },
    });
    expect(started.status).toBe(200);
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const blocks = buffer.split("\n\n");
      buffer = blocks.pop()!;
      for (const block of blocks) {
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data) events.push(JSON.parse(data) as UiEvent);
      }
      const last = events.at(-1);
      if (last?.kind === "ladder-job" && last.status !== "running") break;
    }
    controller.abort();
    const end = events.at(-1) as Extract<UiEvent, { kind: "ladder-job" }>;
    expect(end.error).toBeUndefined();
    expect(end.status).toBe("completed");
    const rungs = events.flatMap((e) => (e.kind === "ladder" && e.event.type === "rung" ? [e.event.rung.id] : []));
    expect(rungs).toEqual(["prompt", "lora-r2"]);
    expect(events.some((e) => e.kind === "ladder" && e.event.type === "step")).toBe(true);

    const list = (await (await fetch(new URL("/api/ladders", server.url))).json()) as LadderSummary[];
    expect(list.map((l) => [l.name, l.status])).toEqual([["tiny", "completed"]]);
    const report = await fetch(new URL(`/api/ladder/report?dir=${encodeURIComponent(list[0]!.dir)}`, server.url));
    expect(report.status).toBe(200);
    expect(report.headers.get("content-security-policy")).toMatch(/^sandbox; default-src 'none'/);
    const html = await report.text();
    expect(html).toBe(fs.readFileSync(path.join(workspace, "ladders", "tiny", "report.html"), "utf8"));
    expect(html).toMatch(/LoRA r=2/);
    // A name is used once: the finished ladder is not replaced.
    expect((await post("/api/ladder", { name: "tiny", options: {} })).status).toBe(400);
    // Only ladders of this workspace are served.
    expect((await fetch(new URL(`/api/ladder/report?dir=${encodeURIComponent(workspace)}`, server.url))).status).toBe(400);
  });
});
