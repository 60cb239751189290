// GGUF LoRA adapters (written by our GGUF writer) through node-llama-cpp, batch prompt runs, and the chat loop.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelHost, resolveSampling, runChat, runPromptFile, type PromptResult } from "../../src/prompt/index.js";
import { writeTinyLora } from "../helpers/tiny-lora.js";

const MODEL = "models/stories260K.gguf";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-prompt-"));
const lora = path.join(dir, "tiny-lora.gguf");
const zeroB = path.join(dir, "zero-b.gguf");
const greedy = resolveSampling({ temperature: 0, maxTokens: 30 });
const hostOptions = { gpu: "cpu" as const, threads: 1, contextSize: 256 };

let host: ModelHost;
beforeAll(async () => {
  await writeTinyLora(lora, { bScale: 0.5 });
  await writeTinyLora(zeroB, { bScale: 0 });
  host = await ModelHost.open(MODEL, hostOptions);
});
afterAll(async () => {
  await host?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = async (adapters: Array<{ path: string; scale?: number }>) =>
  (await (await host.generator(adapters)).generate({ prompt: "Once upon a time", sampling: greedy })).text;

describe("GGUF LoRA through node-llama-cpp", () => {
  it("changes greedy output; scale 0 and a zero B matrix give the base output exactly", async () => {
    const base = await run([]);
    const adapted = await run([{ path: lora }]);
    expect(adapted).not.toBe(base);
    expect(await run([{ path: lora, scale: 0 }])).toBe(base);
    expect(await run([{ path: zeroB }])).toBe(base);
    expect((await host.generator([{ path: lora, scale: 0.5 }])).id).toBe("stories260K+tiny-lora*0.5");
  });

  it("a missing adapter is a FileNotFoundError; a model file as adapter is an AdapterLoadError", async () => {
    await expect(host.generator([{ path: path.join(dir, "nope.gguf") }])).rejects.toThrow(/adapter not found/);
    await expect(host.generator([{ path: MODEL }])).rejects.toThrow(/could not apply the adapter/);
  });
});

describe("prompts run", () => {
  it("writes one results.jsonl row per prompt x variant x target, with seeded few-shot examples", async () => {
    const out = path.join(dir, "results.jsonl");
    const options = {
      ...hostOptions,
      contextSize: 1024, // Korean reaches stories260K as byte tokens: the few-shot prompts run to ~300 tokens
      model: MODEL,
      prompts: "test/fixtures/prompt/prompts.jsonl",
      out,
      templates: ["qa:en", "qa:ko"],
      variantsFile: writeVariants(),
      adapters: [{ path: lora }],
      examples: "test/fixtures/prompt/ko-chat-examples.jsonl",
      fewShot: 2,
      sampling: { temperature: 0, maxTokens: 12, seed: 11 },
    };
    const first = await runPromptFile(options);
    const rows = fs.readFileSync(out, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as PromptResult);
    // 3 prompts x 3 variants (qa:en, qa:ko, raw) x 2 targets (base, tiny-lora)
    expect(rows).toHaveLength(18);
    expect(first.mode).toBe("completion"); // stories260K has no chat template
    const cells = new Set(rows.map((r) => `${r.id}|${r.variant}|${r.target}`));
    expect(cells.size).toBe(18);
    expect([...new Set(rows.map((r) => r.target))]).toEqual(["base", "tiny-lora"]);
    const koRow = rows.find((r) => r.id === "ko" && r.variant === "qa:ko")!;
    expect(koRow.prompt).toContain("질문: 공원에 누가 갔나요?");
    expect(koRow.prompt).toContain("내용: 릴리는 강아지와 함께 공원에 갔다.");
    expect(koRow.examples).toHaveLength(2);
    const rawRow = rows.find((r) => r.id === "lily" && r.variant === "raw" && r.target === "base")!;
    expect(rawRow.prompt).toBe("Once upon a time");
    expect(rawRow.output).toBe((await run([])).slice(0, rawRow.output.length));
    expect(rawRow.expected).toBe("Lily");
    // every variant of one prompt drew the same seeded examples
    const drawn = rows.filter((r) => r.id === "tom" && r.variant !== "raw").map((r) => r.examples.join());
    expect(new Set(drawn).size).toBe(1);
  });
});

function writeVariants(): string {
  const file = path.join(dir, "variants.jsonl");
  fs.writeFileSync(file, JSON.stringify({ name: "raw", template: "{{prompt}}", fewShot: 0 }) + "\n");
  return file;
}

describe("chat loop", () => {
  it("streams replies, switches adapters with /adapter and back with /adapter off, and stops at /exit", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const info = new PassThrough();
    let shown = "";
    let notes = "";
    output.on("data", (d: Buffer) => (shown += d.toString()));
    info.on("data", (d: Buffer) => (notes += d.toString()));
    const done = runChat({ host, input, output, info, sampling: { temperature: 0, maxTokens: 16 }, system: "Tell stories." });
    input.end(["Hello", "/reset", `/adapter ${lora}`, "Hello", "/adapter off", "/reset", "Hello", "/bogus", "/exit", "never sent"].join("\n") + "\n");
    const summary = await done;
    expect(summary.turns).toBe(3);
    const replies = shown.trimEnd().split("\n");
    expect(replies).toHaveLength(3);
    // The same conversation (reset in between): base, adapter, base again.
    expect(replies[0]).toBe(replies[2]);
    expect(replies[1]).not.toBe(replies[0]);
    expect(notes).toContain("no chat template");
    expect(notes).toContain("adapter on: stories260K+tiny-lora");
    expect(notes).toContain("adapter off");
    expect(notes).toContain('unknown command "/bogus"');
  });
});
