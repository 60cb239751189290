// The Playground's generation, in a worker process (ui-generate-child.ts) that the server starts on first use and
// starts again after a crash: a native abort in a model kills the worker and fails its requests, not the server.
import type { ChildProcess } from "node:child_process";
import { forkSibling, tailOutput } from "../native/fork-module.js";
import type { GenerateTextOptions } from "../prompt/index.js";
import { bilingualError, JobCrashedError, type BilingualError } from "./ui-jobs.js";

export interface GenerationDone {
  model: string;
  text: string;
  stopReason: string;
  chatTemplate: { name: string; fromModel: boolean } | null;
}

interface Pending {
  onText: (text: string) => void;
  resolve: (done: GenerationDone) => void;
  reject: (error: BilingualError) => void;
}

export class GenerationWorker {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** Generates in the worker; `onText` receives the streamed chunks. Rejects with a bilingual error. */
  generate(options: Omit<GenerateTextOptions, "onText" | "signal">, onText: (text: string) => void, signal?: AbortSignal): Promise<GenerationDone> {
    const child = this.worker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onText, resolve, reject });
      signal?.addEventListener("abort", () => child.connected && child.send({ kind: "abort", id }));
      child.send({ kind: "generate", id, options });
    });
  }

  close(): void {
    this.child?.kill("SIGTERM");
    this.child = undefined;
  }

  private worker(): ChildProcess {
    if (this.child) return this.child;
    const child = forkSibling(import.meta.url, "ui-generate-child");
    const lastLines = tailOutput(child, 20);
    child.on("message", (raw) => {
      const message = raw as { kind: "text"; id: number; text: string } | { kind: "done"; id: number; result: GenerationDone } | { kind: "error"; id: number; error: BilingualError };
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      if (message.kind === "text") return waiting.onText(message.text);
      this.pending.delete(message.id);
      if (message.kind === "done") waiting.resolve(message.result);
      else waiting.reject(message.error);
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const error = bilingualError(
        new JobCrashedError({
          en: `the generation process ${how}; the next request starts a new one.\nLast output:\n${lastLines.join("\n")}`,
          ko: `생성 프로세스가 비정상 종료했습니다 (${how}). 다음 요청 때 새로 시작합니다.\n마지막 출력:\n${lastLines.join("\n")}`,
        }),
      );
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
    this.child = child;
    return child;
  }

  /** The worker's process id (tests kill it to check that the server survives). */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}
