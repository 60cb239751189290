// The generate, chat and prompts commands as a user runs them: a real process, stdin driven by the test.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localtune } from "../helpers/cli.js";

const REFERENCE = fs.readFileSync(new URL("../fixtures/prompt/stories260K-greedy-200.txt", import.meta.url), "utf8");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));


const model = ["-m", "models/stories260K.gguf", "--gpu", "cpu", "--threads", "1", "--context-size", "512"];

describe("CLI", () => {
  it("generate --temperature 0 streams llama2.c's greedy story; --json reports counts and the seed", async () => {
    const streamed = await localtune(["generate", ...model, "-p", "Once upon a time", "-t", "0", "-n", "30"]);
    expect(streamed.code).toBe(0);
    const text = streamed.stdout.replace(/\n$/, "");
    expect(REFERENCE.startsWith("Once upon a time" + text)).toBe(true);
    expect(text.length).toBeGreaterThan(60);
    expect(streamed.stderr).toMatch(/30 tokens \(length\)/);

    const json = await localtune(["generate", ...model, "-p", "Once upon a time", "-t", "0", "-n", "30", "--seed", "3", "--json"]);
    const result = JSON.parse(json.stdout) as { text: string; completionTokens: number; seed: number; stopReason: string };
    expect(result).toMatchObject({ text, completionTokens: 30, seed: 3, stopReason: "length" });
  });

  it("chat reads stdin, streams replies, says the model has no chat template, and ends on /exit", async () => {
    const run = await localtune(["chat", ...model, "-t", "0", "-n", "12", "--system", "Tell stories."], "Hello\n/help\nTell me more\n/exit\n");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("no chat template");
    expect(run.stderr).toContain("/adapter <path> [scale]");
    expect(run.stderr).toContain("2 turns");
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(2);
  });

  it("prompts run prints a side-by-side table and writes results.jsonl", async () => {
    const out = path.join(dir, "results.jsonl");
    const ok = await localtune(["prompts", "run", ...model, "--prompts", "test/fixtures/prompt/prompts.jsonl", "--template", "qa:en", "--template", "qa:ko", "-t", "0", "-n", "6", "--out", out], "");
    expect(ok.code).toBe(0);
    const lines = ok.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^id\s+│ qa:en\s+│ qa:ko\s*$/);
    expect(lines.slice(2).map((l) => l.split(" │ ")[0]!.trim())).toEqual(["lily", "ko", "tom"]);
    expect(fs.readFileSync(out, "utf8").trimEnd().split("\n")).toHaveLength(6);
  });
});
