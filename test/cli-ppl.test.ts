// `localtune ppl` end to end through the real CLI: the result on success, and a one-line message with exit code 1
// for each kind of bad input (no stack trace unless --verbose).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gguf, GgmlType, writeGguf } from "../src/formats/gguf/index.js";
import { STORIES_260K } from "./helpers/test-models.js";
import { localtune as runLocaltune } from "./helpers/cli.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-cli-"));
const textFile = path.join(dir, "text.txt");
fs.writeFileSync(textFile, "Once upon a time, there was a little girl named Lily. She loved to play with her toys and her friends.");

const localtune = (args: string[], env: Record<string, string> = {}) => runLocaltune(args, "", env);

/** The error line(s) the CLI printed, without node-llama-cpp's own log lines. */
const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line.startsWith("error:"));

describe("localtune ppl", () => {
  it("prints perplexity and tokens/s", async () => {
    const { code, stdout } = await localtune(["ppl", "--model", STORIES_260K, "--file", textFile, "--threads", "2"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/perplexity \d+\.\d+/);
    expect(stdout).toMatch(/forward \d+ tokens\/s/);
  });

  it("gives JSON with --json", async () => {
    const { code, stdout } = await localtune(["ppl", "--model", STORIES_260K, "--file", textFile, "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { perplexity: number; scoredTokens: number };
    expect(result.perplexity).toBeGreaterThan(1);
    expect(result.scoredTokens).toBeGreaterThan(10);
  });

  it("a missing model file: one line naming the path", async () => {
    const { code, stderr } = await localtune(["ppl", "--model", path.join(dir, "nope.gguf"), "--file", textFile]);
    expect(code).toBe(1);
    expect(errorLines(stderr)).toEqual([expect.stringContaining("not found")]);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("a file that is not GGUF: names the magic field", async () => {
    const { code, stderr } = await localtune(["ppl", "--model", textFile, "--file", textFile]);
    expect(code).toBe(1);
    expect(errorLines(stderr)[0]).toMatch(/invalid GGUF \(magic\)/);
  });

  it("an unsupported architecture: lists the supported ones", async () => {
    const file = path.join(dir, "gpt2.gguf");
    await writeGguf(file, {
      metadata: { "general.architecture": gguf.str("gpt2") },
      tensors: [{ name: "token_embd.weight", type: GgmlType.F32, ne: [4, 2], data: new Float32Array(8) }],
    });
    const { code, stderr } = await localtune(["ppl", "--model", file, "--file", textFile]);
    expect(code).toBe(1);
    expect(errorLines(stderr)[0]).toMatch(/unsupported architecture "gpt2".*llama.*qwen2.*qwen3/);
  });

  it("a model too big for free memory: refuses before loading, with the numbers", async () => {
    const { code, stderr } = await localtune(["ppl", "--model", STORIES_260K, "--file", textFile], { LOCALTUNE_MEMORY_LIMIT: "100000" });
    expect(code).toBe(1);
    expect(errorLines(stderr)[0]).toMatch(/needs about \d+\.\d+ GiB but only 0\.00 GiB/);
  });

  it("a bad option value: says what was expected", async () => {
    const { code, stderr } = await localtune(["ppl", "--model", STORIES_260K, "--file", textFile, "--ctx", "abc"]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--ctx expects a positive integer, got "abc"/);
  });

  it("prints the stack only with --verbose", async () => {
    const { stderr } = await localtune(["ppl", "--verbose", "--model", textFile, "--file", textFile]);
    expect(stderr).toMatch(/\n\s+at /);
  });
});
