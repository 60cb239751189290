// A prompt-tuning adapter trained here (stories260K, a slice of the Maple Hill corpus) works in every generation
// command, not just `generate`: chat (a real process driven by stdin; /adapter switches, also to the run folder),
// prompts run (one row per prompt x variant x target) and serve (its model id, streaming and not) give the same greedy
// text as generateText with that adapter, and that text differs from the base model's. Mixed with LoRA: refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdapterCombinationError } from "../../src/errors.js";
import { generateText, ModelHost, runChat, type PromptResult } from "../../src/prompt/index.js";
import { startServer } from "../../src/server/index.js";
import { startTraining } from "../../src/train/index.js";
import { STORIES_260K } from "../helpers/test-models.js";
import { writeTinyLora } from "../helpers/tiny-lora.js";
import { localtune } from "../helpers/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-engine-everywhere-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(dir, "cache");
const runDir = path.join(dir, "run");
const lora = path.join(dir, "tiny-lora.gguf");
const hostOptions = { gpu: "cpu" as const, threads: 1, contextSize: 512 };
const PROMPT = "Once upon a time";
const MAX_TOKENS = 24;
let adapter: string;

/** The reference: one-shot generateText, which picks the engine path from the adapter's file. */
const reference = async (adapters: string[], prompt: string, chat = false, maxTokens = MAX_TOKENS) =>
  (await generateText({ ...hostOptions, model: STORIES_260K, adapters: adapters.map((p) => ({ path: p })), prompt, chat, sampling: { temperature: 0, maxTokens } })).text;

const modelArgs = ["-m", STORIES_260K, "--gpu", "cpu", "--threads", "1", "--context-size", String(hostOptions.contextSize)];

beforeAll(async () => {
  const trainText = path.join(dir, "train.txt");
  fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 6_000));
  const { done } = await startTraining({
    method: "prompt-tuning",
    methodOptions: { virtualTokens: 8, initText: "Maple Hill" },
    model: STORIES_260K,
    data: [trainText],
    out: runDir,
    steps: 4,
    ctx: 32,
    batch: 2,
    lr: 5e-2,
    threads: 1,
    evalEvery: 0,
  });
  adapter = done.output!;
  await writeTinyLora(lora, { bScale: 0.5 });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a prompt-tuning adapter outside generate", () => {
  it("changes the greedy text (so the checks below can fail)", async () => {
    expect(await reference([adapter], PROMPT)).not.toBe(await reference([], PROMPT));
    expect(await reference([adapter], PROMPT, true)).not.toBe(await reference([], PROMPT, true));
  });

  it("chat: --adapter <file>, /adapter off and /adapter <run folder> give generateText's chat replies", async () => {
    const [tuned, base] = [await reference([adapter], PROMPT, true), await reference([], PROMPT, true)];
    const stdin = [PROMPT, "/adapter off", "/reset", PROMPT, `/adapter ${runDir}`, "/reset", PROMPT, "/exit"].join("\n") + "\n";
    const run = await localtune(["chat", ...modelArgs, "--adapter", adapter, "-t", "0", "-n", String(MAX_TOKENS)], stdin);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${tuned}\n${base}\n${tuned}\n`);
    expect(run.stderr).toContain(`adapter on: stories260K+${path.basename(adapter, ".gguf")}`);
    expect(run.stderr).toContain("adapter on: stories260K+run");
    expect(run.stderr).toContain("3 turns");
  });

  it("chat: a LoRA together with the prompt-tuning adapter is refused with AdapterCombinationError", async () => {
    const host = await ModelHost.open(STORIES_260K, hostOptions);
    try {
      const chat = runChat({ host, input: new PassThrough(), output: new PassThrough(), info: new PassThrough(), adapters: [{ path: lora }, { path: adapter }] });
      await expect(chat).rejects.toThrow(AdapterCombinationError);
    } finally {
      await host.dispose();
    }
  });

  it("prompts run: one row per prompt x variant x target; the adapter's rows equal generateText's", async () => {
    const out = path.join(dir, "results.jsonl");
    const variants = path.join(dir, "variants.jsonl");
    fs.writeFileSync(variants, [{ name: "raw", template: "{{prompt}}" }, { name: "story", template: "{{prompt}}, {{question}}" }].map((v) => JSON.stringify(v)).join("\n") + "\n");
    const run = await localtune(["prompts", "run", ...modelArgs, "--prompts", "test/fixtures/prompt/prompts.jsonl", "--variants", variants, "--adapter", adapter, "--adapter", lora, "-t", "0", "-n", "12", "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    const rows = fs.readFileSync(out, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l) as PromptResult);
    const name = path.basename(adapter, ".gguf");
    // 3 prompts x 2 variants x 3 targets (base, the prompt-tuning adapter, the LoRA)
    expect(rows).toHaveLength(18);
    expect(new Set(rows.map((r) => `${r.id}|${r.variant}|${r.target}`)).size).toBe(18);
    expect([...new Set(rows.map((r) => r.target))]).toEqual(["base", name, "tiny-lora"]);
    for (const row of rows.filter((r) => r.target === name)) {
      expect(row.mode).toBe("completion");
      expect(row.model).toBe(`stories260K+${name}`);
      expect(row.output, `${row.id}/${row.variant}`).toBe(await reference([adapter], row.prompt, false, 12));
    }
    const loraRow = rows.find((r) => r.target === "tiny-lora" && r.id === "lily" && r.variant === "raw")!;
    expect(loraRow.output).toBe(await reference([lora], PROMPT, false, 12));
  });

  it("serve: the adapter's model id answers completions and chat completions, streaming and not, as generateText", async () => {
    const host = await ModelHost.open(STORIES_260K, { ...hostOptions, parallel: 2 });
    const server = await startServer({ host, adapters: [{ path: adapter }, { path: lora }], port: 0 });
    try {
      const name = path.basename(adapter, ".gguf");
      const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(models.data.map((m) => m.id)).toEqual(["stories260K", name, "tiny-lora"]);
      const post = (route: string, body: object) => fetch(server.url + route, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const streamed = async (response: Response, pick: (choice: Record<string, any>) => string | undefined) => {
        const events = (await response.text()).split("\n\n").filter((b) => b.trim() !== "").map((b) => b.slice("data: ".length));
        expect(events.at(-1)).toBe("[DONE]");
        return events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: Array<Record<string, any>> }).choices[0]).map((c) => (c ? (pick(c) ?? "") : "")).join("");
      };

      const completion = { model: name, prompt: PROMPT, max_tokens: MAX_TOKENS, temperature: 0 };
      const expected = await reference([adapter], PROMPT);
      const plain = (await (await post("/v1/completions", completion)).json()) as { model: string; choices: Array<{ text: string }> };
      expect(plain.model).toBe(name);
      expect(plain.choices[0]!.text).toBe(expected);
      expect(await streamed(await post("/v1/completions", { ...completion, stream: true }), (c) => c.text)).toBe(expected);

      const chat = { model: name, messages: [{ role: "user", content: PROMPT }], max_tokens: MAX_TOKENS, temperature: 0 };
      const expectedChat = await reference([adapter], PROMPT, true);
      const reply = (await (await post("/v1/chat/completions", chat)).json()) as { choices: Array<{ message: { content: string } }> };
      expect(reply.choices[0]!.message.content).toBe(expectedChat);
      expect(await streamed(await post("/v1/chat/completions", { ...chat, stream: true }), (c) => c.delta?.content)).toBe(expectedChat);

      // The engine runs one request at a time: concurrent ones wait their turn and all get the same text.
      const many = await Promise.all(Array.from({ length: 4 }, () => post("/v1/completions", completion).then((r) => r.json() as Promise<{ choices: Array<{ text: string }> }>)));
      expect(many.map((r) => r.choices[0]!.text)).toEqual(Array(4).fill(expected));
      expect(server.stats).toMatchObject({ active: 0, queued: 0, failed: 0 });
    } finally {
      await server.close();
      await host.dispose();
    }
  });
});
