import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { resolveThreads, setThreadsOverride, TINY_MODEL_PARAMETERS } from "./threads.js";

describe("resolveThreads: one rule for both engines", () => {
  afterEach(() => {
    setThreadsOverride(undefined);
    delete process.env.LOCALTUNE_THREADS;
  });
  it("takes an explicit count first, then --threads, then LOCALTUNE_THREADS", () => {
    process.env.LOCALTUNE_THREADS = "3";
    setThreadsOverride(5);
    expect(resolveThreads({ requested: 7 })).toBe(7);
    expect(resolveThreads({ parameterCount: 100 })).toBe(5);
    setThreadsOverride(undefined);
    expect(resolveThreads({ parameterCount: 100 })).toBe(3);
  });
  it("gives tiny models one thread and big ones every math core, never more than the machine's cores", () => {
    expect(resolveThreads({ parameterCount: TINY_MODEL_PARAMETERS - 1, mathCores: 8 })).toBe(1);
    const cores = os.availableParallelism();
    expect(resolveThreads({ parameterCount: 1e9, mathCores: 1 })).toBe(1);
    // node-llama-cpp's maxThreads can exceed the cores (4 on a 2-core machine): capped.
    expect(resolveThreads({ parameterCount: 1e9, mathCores: cores + 2 })).toBe(cores);
    expect(resolveThreads({})).toBe(cores);
  });
  it("refuses a thread count that is not a whole number >= 1", () => {
    expect(() => setThreadsOverride(0)).toThrow(/--threads/);
    expect(() => setThreadsOverride(1.5)).toThrow(/--threads/);
  });
});
