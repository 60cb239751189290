// The Maple Hill corpus is new to stories260K: the pretrained model, decoding greedily, completes almost none of the
// cloze items, so any gain after DAPT or LoRA on train.txt comes from the training, not from what it already knew.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LlamaCompletion, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadLlamaModel } from "../src/native/llama-runtime.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const MODEL = path.join(root, "models", "stories260K.gguf");

interface Cloze {
  kind: "cloze";
  id: string;
  prompt: string;
  answer: string;
}

const cloze = readFileSync(path.join(root, "corpus", "maple-hill", "eval.jsonl"), "utf8")
  .trimEnd()
  .split("\n")
  .map((line) => JSON.parse(line) as { kind: string })
  .filter((item): item is Cloze => item.kind === "cloze");

describe("Maple Hill is unknown to stories260K", () => {
  let model: LlamaModel;
  beforeAll(async () => {
    model = await loadLlamaModel(MODEL, { gpu: "cpu" });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it("the base model completes at most 5% of the cloze items", async () => {
    // One thread: on a busy 2-core machine two threads meeting at a barrier per op are hundreds of times slower.
    const context = await model.createContext({ contextSize: 128, threads: 1 });
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    try {
      const hits: string[] = [];
      for (const item of cloze) {
        await sequence.clearHistory();
        const out = await completion.generateCompletion(item.prompt, { maxTokens: 8, temperature: 0 });
        if (out.trim().toLowerCase().startsWith(item.answer.toLowerCase())) hits.push(item.id);
      }
      expect(cloze.length).toBeGreaterThanOrEqual(80);
      expect(hits.length, `already known: ${hits.join(", ")}`).toBeLessThanOrEqual(Math.floor(cloze.length * 0.05));
    } finally {
      completion.dispose();
      await context.dispose();
    }
  });

  it("the same check finds an answer that stories260K does know (the check can pass an item)", async () => {
    // TinyStories is full of "Once upon a time"; the model must complete it, or the 0% above would mean nothing.
    const context = await model.createContext({ contextSize: 64, threads: 1 });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    try {
      const out = await completion.generateCompletion("Once upon a", { maxTokens: 3, temperature: 0 });
      expect(out.trim().toLowerCase().startsWith("time")).toBe(true);
    } finally {
      completion.dispose();
      await context.dispose();
    }
  });
});
