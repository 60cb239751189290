// Data preparation with a real tokenizer and chat template (stories260K through node-llama-cpp): exact token
// counts, loss masks that cover exactly the assistant tokens, the tokenized cache, and the CLI in Korean.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ChatMLChatWrapper, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatWrapperFor, renderChat } from "../src/data/chat-render.js";
import { readTokenCache } from "../src/data/cache.js";
import { prepareDataset } from "../src/data/prepare.js";
import { DatasetRecordSchema, type ChatMessage, type DatasetRecord } from "../src/data/schema.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";

const MODEL = path.resolve("models/stories260K.gguf");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-data-model-"));
let model: LlamaModel;

beforeAll(async () => {
  model = await loadLlamaModel(MODEL, { gpu: "cpu" });
});
afterAll(async () => {
  await model?.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

const conversation: ChatMessage[] = [
  { role: "system", content: "You answer kindly." },
  { role: "user", content: "12시 땡!" },
  { role: "assistant", content: "하루가 또 가네요." },
  { role: "user", content: "Tell me a story." },
  { role: "assistant", content: "Once upon a time, there was a little girl named Lily." },
];

/** Runs of consecutive mask-1 positions. */
function maskedRuns(tokens: Token[], mask: Uint8Array): Token[][] {
  const runs: Token[][] = [];
  mask.forEach((m, i) => {
    if (m && (i === 0 || !mask[i - 1])) runs.push([]);
    if (m) runs[runs.length - 1]!.push(tokens[i]!);
  });
  return runs;
}

describe("chat rendering with the loss mask", () => {
  it.each([
    ["the model's own wrapper", () => chatWrapperFor(model)],
    ["ChatML", () => new ChatMLChatWrapper()],
  ])("masks exactly the assistant text and its end-of-turn marker (%s)", (_name, wrapper) => {
    const w = wrapper();
    const rendered = renderChat(model, w, conversation);
    if (typeof rendered === "string") throw new Error(rendered);
    const { tokens, mask } = rendered;
    expect(mask).toHaveLength(tokens.length);
    // Independent reference: node-llama-cpp's rendering of the whole conversation, and each reply tokenized alone.
    const full = w.generateContextState({ chatHistory: [
      { type: "system", text: conversation[0]!.content },
      { type: "user", text: conversation[1]!.content },
      { type: "model", response: [conversation[2]!.content] },
      { type: "user", text: conversation[3]!.content },
      { type: "model", response: [conversation[4]!.content] },
    ] });
    const reference = full.contextText.tokenize(model.tokenizer);
    expect(tokens.slice(0, reference.length)).toEqual(reference);
    const replies = conversation.filter((m) => m.role === "assistant").map((m) => model.tokenize(m.content, false, "trimLeadingSpace"));
    const runs = maskedRuns(tokens, mask);
    expect(runs).toHaveLength(2);
    for (const [k, run] of runs.entries()) {
      expect(run.slice(0, replies[k]!.length)).toEqual(replies[k]);
      const closer = run.slice(replies[k]!.length);
      expect(closer.length).toBeGreaterThan(0);
      expect(model.detokenize(closer, true)).toMatch(/^(<\/s>|<\|im_end\|>)$/);
    }
    // Nothing of the system or user text is trained.
    const unmasked = model.detokenize(tokens.filter((_, i) => !mask[i]), false);
    expect(unmasked).toContain("Tell me a story.");
    expect(unmasked).not.toContain("Lily");
  });
});

describe("prepareDataset with a model", () => {
  it("counts tokens with the model, builds masked instruction samples from ChatbotData, and caches tokens", async () => {
    const out = path.join(root, "ds");
    const result = await prepareDataset(
      { inputs: [path.resolve("test/fixtures/data/chatbot-300.csv"), path.resolve("test/fixtures/ko-law/labor_standards_근로기준법.md")], out, maxTokens: 256, overlapTokens: 32 },
      { model },
    );
    expect(result.stats.tokenizer.kind).toBe("model");
    const cacheDir = path.join(out, result.manifest.files.cache!);
    let chatSeen = 0;
    let textSeen = 0;
    for (const split of ["train", "val", "test"] as const) {
      const records = fs.readFileSync(path.join(out, `${split}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => DatasetRecordSchema.parse(JSON.parse(l)) as DatasetRecord);
      const cache = readTokenCache(cacheDir, split);
      expect(cache.index.map((e) => e.id)).toEqual(records.map((r) => r.id));
      expect(cache.mask).toHaveLength(cache.tokens.length);
      expect(cache.index.reduce((n, e) => n + e.length, 0)).toBe(cache.tokens.length);
      for (const [i, r] of records.entries()) {
        const { offset, length } = cache.index[i]!;
        const ids = Array.from(cache.tokens.subarray(offset, offset + length));
        const m = cache.mask.subarray(offset, offset + length);
        if (r.kind === "text") {
          const expected = model.tokenize(r.text, false, "trimLeadingSpace");
          expect(r.tokens).toBe(expected.length);
          expect(r.tokens).toBeLessThanOrEqual(256);
          expect(ids).toEqual([model.tokens.bos, ...expected]);
          expect(Array.from(m)).toEqual([0, ...expected.map(() => 1)]);
          textSeen++;
        } else {
          const rendered = renderChat(model, chatWrapperFor(model), r.messages);
          if (typeof rendered === "string") throw new Error(rendered);
          expect(ids).toEqual(rendered.tokens);
          const runs = maskedRuns(ids as Token[], m);
          expect(runs).toHaveLength(1);
          expect(model.detokenize(runs[0]!, true)).toBe(`${r.messages[1]!.content}</s>`);
          chatSeen++;
        }
      }
    }
    expect(chatSeen).toBeGreaterThan(250);
    expect(textSeen).toBeGreaterThan(100);
    expect(result.stats.splits.train.chatRecords).toBeGreaterThan(200);

    // The CLI prints the same dataset's stats in Korean.
    const printed = execFileSync(process.execPath, ["bin/localtune.js", "data", "stats", out, "--lang", "ko"], { encoding: "utf8" });
    expect(printed).toContain("토큰 계산: stories260K.gguf");
    expect(printed).toMatch(/학습\s+\d+/);
    expect(printed).toContain("데이터가 충분한가요?");
    expect(printed).toMatch(/\[(충분|최소)\] LoRA \(instruction tuning\): 학습용 대화 [\d,]+개/);
  });
});
