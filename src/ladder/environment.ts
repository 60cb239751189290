// The machine and software a ladder ran on, for the report: CPU model, cores, RAM, OS, and the versions of
// localtune, node-llama-cpp, ggml and Node.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import type { ReportInput } from "../report/schema.js";

/** Version of an installed package, found by walking up from its entry point ("exports" may hide package.json). */
function packageVersion(name: string): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve(name));
    while (!(fs.existsSync(path.join(dir, "package.json")) && path.basename(dir) === name)) {
      const parent = path.dirname(dir);
      if (parent === dir) return "unknown";
      dir = parent;
    }
    return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

function localtuneVersion(): string {
  return (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** CPU model and counts from the OS (Linux, macOS, Windows alike through node:os). */
export function describeMachine(threads: number): ReportInput["environment"]["machine"] {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() || "unknown CPU";
  // The load average at the start says whether timings come from a quiet or a shared machine (Windows reports 0).
  const load = os.loadavg()[0]!;
  return {
    cpu: `${model} (${os.availableParallelism()} logical cores${load > 0 ? `, load average ${load.toFixed(2)} at start` : ""})`,
    threads,
    ramBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** Versions shown in the report; `ggml` comes from the loaded library itself. */
export function softwareVersions(ggmlVersion: string): Record<string, string> {
  return {
    localtune: localtuneVersion(),
    "node-llama-cpp": packageVersion("node-llama-cpp"),
    ggml: ggmlVersion,
    node: process.version,
  };
}
