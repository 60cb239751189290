// Issue 20, finding 2: commands with an --out never write over one of their inputs. Each case runs the real command
// path (stories260K, a small GGUF LoRA) with --out naming an input and checks the refusal and the input's bytes.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportPeftAdapter, importPeftAdapter, mergeAdapters } from "../src/adapters/index.js";
import { OutputOverlapsInputError } from "../src/errors.js";
import { evaluateModel } from "../src/eval/evaluate.js";
import { runPromptFile } from "../src/prompt/index.js";
import { resolveTrainConfig, RunFolder } from "../src/train/index.js";
import { writeTinyLora } from "./helpers/tiny-lora.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-out-guard-")));
const base = path.join(root, "base.gguf");
const lora = path.join(root, "lora.gguf");
const peft = path.join(root, "peft");
const sha = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

beforeAll(async () => {
  fs.copyFileSync(STORIES_260K, base);
  await writeTinyLora(lora);
  await exportPeftAdapter({ adapter: lora, model: base, out: peft });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("--out that names an input is refused and the input is untouched", () => {
  it("adapters merge --out <base> (and through a symbolic link to it)", async () => {
    const before = sha(base);
    fs.symlinkSync(base, path.join(root, "base-link.gguf"));
    for (const out of [base, path.join(root, "base-link.gguf")]) {
      await expect(mergeAdapters({ model: base, adapters: [{ path: lora }], out })).rejects.toThrow(OutputOverlapsInputError);
    }
    await expect(mergeAdapters({ model: base, adapters: [{ path: lora }], out: lora })).rejects.toThrow(OutputOverlapsInputError);
    expect(sha(base)).toBe(before);
    // The same merge into a new file works.
    const merged = await mergeAdapters({ model: base, adapters: [{ path: lora }], out: path.join(root, "merged.gguf") });
    expect(merged.merged).toBe(5);
  });

  it("adapters import --out <base>", async () => {
    const before = sha(base);
    await expect(importPeftAdapter({ adapter: peft, model: base, out: base })).rejects.toThrow(OutputOverlapsInputError);
    expect(sha(base)).toBe(before);
    expect((await importPeftAdapter({ adapter: peft, model: base, out: path.join(root, "imported.gguf") })).modules).toBe(5);
  });

  it("prompts run --out <the prompts file>, refused before the model runs", async () => {
    const prompts = path.join(root, "prompts.jsonl");
    fs.writeFileSync(prompts, '{"id": "p1", "prompt": "Once upon a time"}\n');
    const before = sha(prompts);
    await expect(runPromptFile({ model: base, prompts, out: prompts, sampling: { maxTokens: 4 } })).rejects.toThrow(OutputOverlapsInputError);
    expect(sha(prompts)).toBe(before);
  });

  it("eval --out <the suite file>", async () => {
    const suite = path.join(root, "suite.jsonl");
    fs.copyFileSync("test/fixtures/eval/stories-suite.jsonl", suite);
    const before = sha(suite);
    await expect(evaluateModel({ model: base, suite, out: suite })).rejects.toThrow(OutputOverlapsInputError);
    expect(sha(suite)).toBe(before);
  });

  it("train --out <the data folder> (the run folder would be made inside the data)", () => {
    const data = path.join(root, "data");
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, "train.txt"), "Once upon a time there was a girl named Lily.");
    for (const out of [data, path.join(data, "run")]) {
      expect(() => RunFolder.create(resolveTrainConfig({ method: "lora", model: base, data: [data], out }))).toThrow(OutputOverlapsInputError);
    }
    expect(fs.readdirSync(data)).toEqual(["train.txt"]);
  });
});
