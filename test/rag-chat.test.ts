// `localtune chat --rag`: each question retrieves numbered sources from the index, the model sees them in the turn's
// message, and the sources are listed after the reply (the same prompt building as `rag ask`).
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { STORIES_260K } from "./helpers/test-models.js";

const run = promisify(execFile);

describe("chat --rag", () => {
  it("lists the retrieved article citations after each answer", async () => {
    const index = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ragchat-")), "index");
    await run("node", ["bin/localtune.js", "rag", "index", "test/fixtures/ko-law", "--index", index]);
    const child = spawn("node", ["bin/localtune.js", "--lang", "en", "chat", "--model", STORIES_260K, "--rag", index, "--k", "2", "--max-tokens", "8", "--temperature", "0", "--threads", "1"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end("근로자 해고는 언제 금지되나?\n/exit\n");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const listed = stderr.split("\n").filter((line) => /^\[\d\] 근로기준법 제\d+조/.test(line));
    expect(listed.length).toBeGreaterThanOrEqual(1);
    expect(stderr).toMatch(/1 turns/);
  });
});
