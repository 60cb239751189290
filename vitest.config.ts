// Tests: pure logic beside the code (src/**/*.test.ts), engine and model tests in test/.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Native code (koffi, node-llama-cpp) is safest in separate processes.
    pool: "forks",
    // The machine has 2 cores: engine tests use both threads, so run files one or two at a time.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
