// Greedy generation through node-llama-cpp on stories260K against llama2.c's published greedy output.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LlamaModelHost, resolveSampling, type LlamaCppGenerator } from "../../src/prompt/index.js";

const REFERENCE = fs.readFileSync(new URL("../fixtures/prompt/stories260K-greedy-200.txt", import.meta.url), "utf8");
const greedy = (maxTokens: number) => resolveSampling({ temperature: 0, maxTokens, seed: 1 });

let host: LlamaModelHost;
let base: LlamaCppGenerator;
beforeAll(async () => {
  host = await LlamaModelHost.open("models/stories260K.gguf", { gpu: "cpu", threads: 1, contextSize: 256 });
  base = await host.generator();
});
afterAll(() => host?.dispose());

describe("LlamaCppGenerator", () => {
  it("greedy from BOS reproduces llama2.c run.c's 200 tokens", async () => {
    const result = await base.generate({ prompt: "", sampling: greedy(200) });
    expect(result.text.trimStart()).toBe(REFERENCE);
    expect(result.completionTokens).toBe(200);
    expect(result.stopReason).toBe("length");
  });

  it("greedy continuation of a prompt follows the same story and streams the same text", async () => {
    const prompt = "Once upon a time";
    const chunks: string[] = [];
    const result = await base.generate({ prompt, sampling: greedy(30), onText: (c) => chunks.push(c) });
    expect(result.text.startsWith(", there was a little girl named Lily. She loved to play outside in the park.")).toBe(true);
    expect(REFERENCE.startsWith(prompt + result.text)).toBe(true);
    expect(chunks.join("")).toBe(result.text);
    expect(result.promptTokens).toBe(5); // BOS + ▁Once ▁upon ▁a ▁time
    expect(result.completionTokens).toBe(30);
  });

  // llama.cpp cuts at token boundaries: "Lily" is inside the token "▁Lily", so the space before it goes too.
  it("a stop string ends generation before the token it starts in and reports stop", async () => {
    const result = await base.generate({ prompt: "Once upon a time", sampling: resolveSampling({ temperature: 0, maxTokens: 50, stop: ["Lily"] }) });
    expect(result.text).toBe(", there was a little girl named");
    expect(result.stopReason).toBe("stop");
  });

  it("the same seed gives the same sampled text, another seed a different one", async () => {
    const sampled = (seed: number) =>
      base.generate({ prompt: "Once upon a time", sampling: resolveSampling({ temperature: 1, topK: 0, topP: 1, minP: 0, maxTokens: 40, seed }) });
    const [a, b, c] = [await sampled(7), await sampled(7), await sampled(8)];
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
  });

  it("an aborted signal stops generation and returns what was generated", async () => {
    const controller = new AbortController();
    let n = 0;
    const result = await base.generate({
      prompt: "Once upon a time",
      sampling: greedy(150),
      signal: controller.signal,
      onText: () => {
        if (++n === 5) controller.abort();
      },
    });
    expect(result.stopReason).toBe("abort");
    expect(result.completionTokens).toBeLessThan(150);
    expect(REFERENCE.startsWith("Once upon a time" + result.text)).toBe(true);
  });

  it("a prompt longer than the context is refused, not silently cut", async () => {
    await expect(base.generate({ prompt: "Once upon a time ".repeat(80), sampling: greedy(5) })).rejects.toThrow(/the prompt is \d+ tokens but at most 231 fit/);
  });
});
