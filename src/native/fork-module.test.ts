import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { siblingModule, tailOutput } from "./fork-module.js";

describe("siblingModule", () => {
  it("runs a .ts sibling through tsx's loader", () => {
    const caller = pathToFileURL(path.resolve("src/train/job.ts")).href;
    const { file, execArgv } = siblingModule(caller, "child");
    expect(file).toBe(path.resolve("src/train/child.ts"));
    expect(execArgv[0]).toBe("--import");
    expect(execArgv[1]).toMatch(/^file:.*tsx/);
  });
  it("runs a built .js sibling as plain JavaScript", () => {
    const caller = pathToFileURL(path.resolve("dist/train/job.js")).href;
    expect(siblingModule(caller, "child")).toEqual({ file: path.resolve("dist/train/child.js"), execArgv: [] });
  });
});

describe("tailOutput", () => {
  it("keeps the last lines of stdout and stderr and passes every line on", async () => {
    const script = "for (let i = 1; i <= 5; i++) console.log(`line ${i}`); console.error('oops');";
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    const seen: string[] = [];
    const tail = tailOutput(child, 3, (line) => seen.push(line));
    await new Promise((resolve) => child.on("close", resolve));
    expect(seen.filter((l) => l.startsWith("line"))).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);
    expect(seen).toContain("oops");
    expect(tail).toHaveLength(3);
    expect(tail).toContain("line 5");
  });
});
