// Jobs run in child processes (ggml aborts the whole process on a failed assertion). This forks a module that lies
// beside the caller: from the TypeScript source (the CLI, tests) through tsx's loader, from the built dist/ as plain
// JavaScript, so a library user without a TypeScript loader can train and calibrate too.
import { fork, type ChildProcess, type ForkOptions } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The sibling module `name` (without extension) of the module at `callerUrl`, in the caller's own form. */
export function siblingModule(callerUrl: string, name: string): { file: string; execArgv: string[] } {
  const caller = fileURLToPath(callerUrl);
  const extension = path.extname(caller);
  const file = path.join(path.dirname(caller), name + extension);
  if (extension !== ".ts") return { file, execArgv: [] };
  const loader = pathToFileURL(createRequire(callerUrl).resolve("tsx/esm")).href;
  return { file, execArgv: ["--import", loader] };
}

/** Forks the sibling module `name` of `callerUrl` with an IPC channel and piped output. */
export function forkSibling(callerUrl: string, name: string, args: readonly string[] = [], options: ForkOptions = {}): ChildProcess {
  const { file, execArgv } = siblingModule(callerUrl, name);
  return fork(file, [...args], { execArgv, stdio: ["ignore", "pipe", "pipe", "ipc"], ...options });
}

/**
 * The last `count` lines a child wrote to stdout and stderr, kept up to date as it runs (what a crash report shows);
 * `onLine` sees every line.
 */
export function tailOutput(child: ChildProcess, count: number, onLine?: (line: string) => void): string[] {
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > count) lines.shift();
      onLine?.(line);
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return lines;
}
