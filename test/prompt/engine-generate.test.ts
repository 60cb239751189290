// The engine generation path against independent references: on base models its greedy output is node-llama-cpp's,
// token for token (stories260K and a random qwen3); with prompt- and prefix-tuning adapters it is the greedy argmax of
// full forward passes with the adapter's hooks; stops, seeds and aborts behave as on the node-llama-cpp path.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecoderHooks } from "../../src/engine/graph/hooks.js";
import { forwardLogits } from "../../src/engine/forward.js";
import { EngineModel } from "../../src/engine/model.js";
import { AdapterCombinationError } from "../../src/errors.js";
import { loadPrefixAdapter, writePrefixAdapter } from "../../src/methods/prefix-tuning/index.js";
import { loadPromptAdapter, writePromptAdapter } from "../../src/methods/prompt-tuning/index.js";
import { argmax, EngineGenerator, engineAdapterType, generateText, LlamaModelHost, needsEnginePath, resolveSampling } from "../../src/prompt/index.js";
import { STORIES_260K, testModelPath } from "../helpers/test-models.js";
import { writeTinyLora } from "../helpers/tiny-lora.js";
import { xorshiftNoise } from "../helpers/noise.js";

const REFERENCE = fs.readFileSync(new URL("../fixtures/prompt/stories260K-greedy-200.txt", import.meta.url), "utf8");
const greedy = (maxTokens: number) => resolveSampling({ temperature: 0, maxTokens, seed: 1 });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-engine-gen-"));
const opened: Array<{ dispose(): unknown }> = [];
afterAll(async () => {
  for (const o of opened.reverse()) await o.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});


/** Greedy continuation by full forward passes (no cache): the reference for the cached path with hooks. */
function greedyByFullForward(model: EngineModel, prompt: number[], steps: number, hooks: DecoderHooks, eos: number): number[] {
  const V = model.hparams.nVocab;
  const tokens = prompt.slice();
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const logits = forwardLogits(model, { tokens: Int32Array.from(tokens), sequences: 1, outputRows: Int32Array.of(tokens.length - 1) }, hooks);
    const next = argmax(logits.subarray(0, V));
    if (next === eos) break;
    out.push(next);
    tokens.push(next);
  }
  return out;
}

let host: LlamaModelHost;
let engine: EngineGenerator;
beforeAll(async () => {
  host = await LlamaModelHost.open(STORIES_260K, { gpu: "cpu", threads: 1, contextSize: 256 });
  opened.push({ dispose: () => host.dispose() });
  engine = await EngineGenerator.open(STORIES_260K, { threads: 1, contextSize: 256 });
  opened.push(engine);
});

describe("EngineGenerator on a base model", () => {
  it("stories260K: greedy output equals node-llama-cpp's, token for token (64 tokens), and llama2.c's story", async () => {
    const llama = await (await host.generator()).generate({ prompt: "Once upon a time", sampling: greedy(64) });
    const chunks: string[] = [];
    const ours = await engine.generate({ prompt: "Once upon a time", sampling: greedy(64), onText: (c) => chunks.push(c) });
    expect(ours.text).toBe(llama.text);
    expect(ours.completionTokens).toBe(64);
    expect(ours.promptTokens).toBe(llama.promptTokens);
    expect(ours.stopReason).toBe("length");
    expect(chunks.join("")).toBe(ours.text);
    expect(REFERENCE.startsWith("Once upon a time" + ours.text)).toBe(true);
    const tokens = (text: string) => host.model.tokenize(text, false, "trimLeadingSpace");
    expect(tokens(ours.text)).toEqual(tokens(llama.text));
  });

  it("stories260K from BOS alone reproduces llama2.c run.c's 200 greedy tokens", async () => {
    const result = await engine.generate({ prompt: "", sampling: greedy(200) });
    expect(result.text.trimStart()).toBe(REFERENCE);
  });

  it("random qwen3 (qwen2 vocabulary, GQA, q/k norms): greedy output equals node-llama-cpp's", async () => {
    const file = await testModelPath("qwen3");
    const qwenHost = await LlamaModelHost.open(file, { gpu: "cpu", threads: 1, contextSize: 128 });
    const qwen = await EngineGenerator.open(file, { threads: 1, contextSize: 128 });
    try {
      const prompt = "The quick brown fox 안녕하세요";
      const llama = await (await qwenHost.generator()).generate({ prompt, sampling: greedy(64) });
      const ours = await qwen.generate({ prompt, sampling: greedy(64) });
      expect(ours.completionTokens).toBe(llama.completionTokens);
      expect(ours.completionTokens).toBeGreaterThan(10);
      expect(ours.stopReason).toBe(llama.stopReason);
      expect(ours.text).toBe(llama.text);
    } finally {
      await qwen.dispose();
      await qwenHost.dispose();
    }
  });

  it("a stop string ends before the token it starts in, as on the node-llama-cpp path", async () => {
    const sampling = resolveSampling({ temperature: 0, maxTokens: 50, stop: ["Lily"] });
    const llama = await (await host.generator()).generate({ prompt: "Once upon a time", sampling });
    const ours = await engine.generate({ prompt: "Once upon a time", sampling });
    expect(ours.text).toBe(", there was a little girl named");
    expect(ours.text).toBe(llama.text);
    expect(ours.stopReason).toBe("stop");
  });

  it("the same seed gives the same sampled text, another seed a different one", async () => {
    const sampled = (seed: number) =>
      engine.generate({ prompt: "Once upon a time", sampling: resolveSampling({ temperature: 1, topK: 0, topP: 1, minP: 0, maxTokens: 40, seed }) });
    const [a, b, c] = [await sampled(7), await sampled(7), await sampled(8)];
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
    expect(a.seed).toBe(7);
  });

  it("an aborted signal stops generation and returns what was generated; concurrent requests queue", async () => {
    const controller = new AbortController();
    let n = 0;
    const [aborted, other] = await Promise.all([
      engine.generate({ prompt: "Once upon a time", sampling: greedy(150), signal: controller.signal, onText: () => (++n === 5 ? controller.abort() : undefined) }),
      engine.generate({ prompt: "Once upon a time", sampling: greedy(20) }),
    ]);
    expect(aborted.stopReason).toBe("abort");
    expect(aborted.completionTokens).toBeLessThan(150);
    expect(REFERENCE.startsWith("Once upon a time" + aborted.text)).toBe(true);
    expect(other.completionTokens).toBe(20);
    expect(REFERENCE.startsWith("Once upon a time" + other.text)).toBe(true);
  });

  it("a prompt longer than the context is refused, not cut", async () => {
    await expect(engine.generate({ prompt: "Once upon a time ".repeat(80), sampling: greedy(5) })).rejects.toThrow(/the prompt is \d+ tokens but at most 255 fit/);
  });
});

describe("EngineGenerator with adapters", () => {
  let base: EngineModel;
  beforeAll(async () => {
    base = await EngineModel.load(STORIES_260K, { threads: 1 });
    opened.push(base);
  });

  const promptTokens = async (text: string) => {
    const tokens = host.model.tokenize(text) as number[];
    return [host.model.tokens.bos as number, ...tokens];
  };

  it("prompt tuning: greedy output equals full forwards with the virtual tokens, and differs from the base", async () => {
    const file = path.join(dir, "prompt.gguf");
    const { nEmbd: E } = base.hparams;
    await writePromptAdapter(file, base, xorshiftNoise(E * 6, 5, 1.5), 6);
    expect(engineAdapterType(file)).toBe("prompt-tuning");
    const adapter = loadPromptAdapter(file, base);
    opened.push(adapter);
    const expected = greedyByFullForward(base, await promptTokens("Once upon a time"), 40, adapter.hooks, host.model.tokens.eos as number);
    const tuned = await EngineGenerator.open(STORIES_260K, { threads: 1, contextSize: 128, adapter: { path: file } });
    opened.push(tuned);
    expect(tuned.id).toBe("stories260K+prompt");
    const result = await tuned.generate({ prompt: "Once upon a time", sampling: greedy(40) });
    expect(result.text).toBe(host.model.detokenize(expected as Token[]));
    const plain = await engine.generate({ prompt: "Once upon a time", sampling: greedy(40) });
    expect(result.text).not.toBe(plain.text);
    // `localtune generate --adapter` picks the engine path from the file's adapter.type.
    const cli = spawnSync(process.execPath, ["bin/localtune.js", "--lang", "en", "generate", "-m", STORIES_260K, "--adapter", file, "-p", "Once upon a time", "-t", "0", "-n", "40", "--threads", "1", "--context-size", "128", "--json"], { encoding: "utf8" });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ model: "stories260K+prompt", text: result.text, stopReason: result.stopReason });
  });

  it("prefix tuning: greedy output equals full forwards with the prefixes, and differs from the base", async () => {
    const file = path.join(dir, "prefix.gguf");
    const { nLayer, headDim: D, nHeadKv: K } = base.hparams;
    const P = 4;
    const layers = Array.from({ length: nLayer }, (_, il) => ({ k: xorshiftNoise(D * P * K, 100 + il, 2), v: xorshiftNoise(D * P * K, 200 + il, 2) }));
    await writePrefixAdapter(file, base, layers, P, false);
    const adapter = loadPrefixAdapter(file, base);
    opened.push(adapter);
    const expected = greedyByFullForward(base, await promptTokens("Once upon a time"), 40, adapter.hooks, host.model.tokens.eos as number);
    // Through the one-shot API the CLI uses: the adapter type picks the engine path.
    const result = await generateText({ model: STORIES_260K, adapters: [{ path: file }], prompt: "Once upon a time", sampling: { temperature: 0, maxTokens: 40 }, threads: 1, gpu: "cpu", contextSize: 128 });
    expect(result.model).toBe("stories260K+prefix");
    expect(result.text).toBe(host.model.detokenize(expected as Token[]));
    const plain = await engine.generate({ prompt: "Once upon a time", sampling: greedy(40) });
    expect(result.text).not.toBe(plain.text);
  });

  it("a LoRA stays on node-llama-cpp; a LoRA with a prompt-tuning adapter is refused with a named error", async () => {
    const lora = path.join(dir, "lora.gguf");
    await writeTinyLora(lora);
    expect(engineAdapterType(lora)).toBeUndefined();
    expect(needsEnginePath([{ path: lora }])).toBe(false);
    expect(() => needsEnginePath([{ path: lora }, { path: path.join(dir, "prompt.gguf") }])).toThrow(AdapterCombinationError);
  });
});
