// `npm run fuzz [-- --gguf N --peft M --seed S --timeout SECONDS]`: thousands of seeded mutants of stories260K.gguf
// through `localtune ppl`'s path and of a PEFT LoRA through `adapters import`, each in a child process with a time
// limit (default 10,000 GGUF + 1,000 PEFT, 20 s). Reports per class: clean (named) errors, raw errors, signals,
// hangs, NaN outputs, results, and results on files llama.cpp refuses. The in-suite test/gguf-fuzz.test.ts runs a
// few hundred of the same mutants in process. A child runs cases until one kills it (an abort or a hang), then a
// fresh one takes over: each case runs in a child, not the parent, at a fraction of a fork per case.
import { fork, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import type { FuzzRequest } from "./fuzz-case.js";

const { values } = parseArgs({
  options: { gguf: { type: "string", default: "10000" }, peft: { type: "string", default: "1000" }, seed: { type: "string", default: "20260" }, timeout: { type: "string", default: "20" } },
});
const seed = Number(values.seed);
const timeoutMs = Number(values.timeout) * 1000;
const requests: FuzzRequest[] = [
  ...Array.from({ length: Number(values.gguf) }, (_, index) => ({ family: "gguf" as const, seed, index })),
  ...Array.from({ length: Number(values.peft) }, (_, index) => ({ family: "peft" as const, seed, index })),
];

type Tally = Record<string, number>;
const byClass = new Map<string, Tally>();
const examples: string[] = [];
const count = (kind: string, outcome: string, detail?: string) => {
  const tally = byClass.get(kind) ?? {};
  tally[outcome] = (tally[outcome] ?? 0) + 1;
  byClass.set(kind, tally);
  if (detail && outcome !== "clean error" && outcome !== "ok" && examples.length < 30) examples.push(`${outcome}: ${detail}`);
};

interface Message {
  phase: "ready" | "ours" | "reference" | "done";
  index?: number;
  kind?: string;
  what?: string;
  outcome?: { kind: string; value?: number; error?: string };
  accepts?: boolean;
}

/** Runs one case in `child`; resolves false when the child died or was killed (it must be replaced). */
function runCase(child: ChildProcess, request: FuzzRequest): Promise<boolean> {
  return new Promise((resolve) => {
    let ours: Message | undefined;
    let referenced = false;
    const label = () => `${request.family} #${request.index} (seed ${seed}) ${ours?.kind ?? ""} ${ours?.what ?? ""}`;
    const finish = (alive: boolean) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(alive);
    };
    const onMessage = (m: Message) => {
      if (m.index !== request.index) return;
      if (m.phase === "ours") ours = m;
      if (m.phase === "reference") {
        referenced = true;
        count(ours!.kind!, m.accepts ? "ok" : "exit 0 on a file llama.cpp refuses", label());
      }
      if (m.phase === "done") {
        const outcome = ours!.outcome!;
        if (outcome.kind !== "ok") count(ours!.kind!, outcome.kind, `${label()}: ${outcome.error ?? outcome.value}`);
        else if (request.family === "peft") count(ours!.kind!, "ok");
        finish(true);
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      if (ours?.outcome?.kind === "ok" && !referenced) count(ours.kind!, "exit 0 on a file llama.cpp refuses", `${label()} (llama.cpp died: ${signal ?? code})`);
      else count(ours?.kind ?? `${request.family} (class unknown)`, "signal", `${label()}: ${signal ?? `exit ${code}`}`);
      finish(false);
    };
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      child.kill("SIGKILL");
      count(ours?.kind ?? `${request.family} (class unknown)`, "hang", `${label()}: past ${timeoutMs / 1000} s`);
      finish(false);
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
    child.send(request);
  });
}

function startChild(): Promise<ChildProcess> {
  const child = fork("bin/run-ts.js", ["bench/fuzz-case.ts"], { stdio: ["ignore", "ignore", "ignore", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m: Message) => (m.phase === "ready" ? resolve(child) : reject(new Error("unexpected first message"))));
    child.once("exit", (code) => reject(new Error(`the fuzz child exited (${code}) before it was ready`)));
  });
}

const started = performance.now();
let child = await startChild();
let children = 1;
for (const [i, request] of requests.entries()) {
  if (!(await runCase(child, request))) {
    child = await startChild();
    children++;
  }
  if ((i + 1) % 200 === 0) console.error(`${i + 1}/${requests.length} cases, ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
child.kill();

const outcomes = ["ok", "clean error", "raw error", "signal", "hang", "NaN output", "exit 0 on a file llama.cpp refuses"];
const total: Tally = {};
console.log(`| class | ${outcomes.join(" | ")} |\n|---|${outcomes.map(() => "---:").join("|")}|`);
for (const [kind, tally] of [...byClass].sort()) {
  console.log(`| ${kind} | ${outcomes.map((o) => tally[o] ?? 0).join(" | ")} |`);
  for (const o of outcomes) total[o] = (total[o] ?? 0) + (tally[o] ?? 0);
}
console.log(`| **all ${requests.length}** | ${outcomes.map((o) => `**${total[o] ?? 0}**`).join(" | ")} |`);
console.log(`\nseed ${seed}, ${children} child process(es), ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (examples.length > 0) console.log(`\nfirst problems:\n${examples.map((e) => `- ${e}`).join("\n")}`);
const bad = ["raw error", "signal", "hang", "NaN output", "exit 0 on a file llama.cpp refuses"].reduce((n, o) => n + (total[o] ?? 0), 0);
process.exitCode = bad === 0 ? 0 : 1;
