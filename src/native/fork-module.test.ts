import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { siblingModule } from "./fork-module.js";

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
