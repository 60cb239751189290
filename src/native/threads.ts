// One thread rule for every command and both engines (ours over ggml, and node-llama-cpp's contexts): an explicit
// --threads wins, then LOCALTUNE_THREADS, then 1 for tiny models (their ops are too small to split: stories260K's
// 200-token forward took 25 ms on 1 thread and 446 ms on 2 on a shared 2-core machine), else every core ggml can use
// for math, never more threads than cores (node-llama-cpp's own default of maxThreads can exceed them).
import os from "node:os";
import { InvalidConfigError } from "../errors.js";

/** Below this many weights one thread is the default. */
export const TINY_MODEL_PARAMETERS = 10_000_000;

let override: number | undefined;

/** Sets the process-wide --threads (the CLI calls this once); undefined clears it. */
export function setThreadsOverride(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new InvalidConfigError({ en: `--threads must be a whole number >= 1, got ${threads}.`, ko: `--threads에는 1 이상의 정수가 필요하지만 ${threads}입니다.` });
  }
  override = threads;
}

export interface ThreadRuleInput {
  /** An explicit count (an option of the call); wins over everything. */
  requested?: number;
  /** Weights of the model the threads will compute on; unknown counts as big. */
  parameterCount?: number;
  /** Cores available for math: node-llama-cpp's cpuMathCores where known, else the machine's parallelism. */
  mathCores?: number;
}

/** The thread count for one computation (pure apart from the override and LOCALTUNE_THREADS). */
export function resolveThreads(input: ThreadRuleInput = {}): number {
  if (input.requested !== undefined) return input.requested;
  if (override !== undefined) return override;
  const fromEnv = Number(process.env.LOCALTUNE_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  if (input.parameterCount !== undefined && input.parameterCount < TINY_MODEL_PARAMETERS) return 1;
  const cores = input.mathCores ?? os.availableParallelism();
  return Math.max(1, Math.min(cores, os.availableParallelism()));
}
