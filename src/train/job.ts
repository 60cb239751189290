// Runs a training job in a child process (ggml aborts the whole process on a failed assertion: docs/engine-notes.md, "GGML_ASSERT aborts"):
// streams its events, forwards Ctrl-C so it checkpoints and stops, and turns a crash into a clear error with the
// last lines it printed.
import { LocaltuneError } from "../errors.js";
import { forkSibling, tailOutput } from "../native/fork-module.js";
import type { HeldLock } from "../fs/process-files.js";
import type { TrainEvent } from "./loop.js";
import { STOP_MESSAGE } from "./stop-message.js";

/** The training child crashed (native abort, out of memory, killed). */
export class TrainingCrashedError extends LocaltuneError {}

export type DoneEvent = Extract<TrainEvent, { type: "done" }>;

export interface JobOptions {
  onEvent?: (event: TrainEvent) => void;
  /** Receives every line the child prints (native logs), for --verbose. */
  onLog?: (line: string) => void;
  /** Aborting asks the job to finish its step, write a checkpoint and stop (like Ctrl-C). */
  signal?: AbortSignal;
  /** The run's lock (resume.ts), handed to the child while it trains: a killed parent does not free the run. */
  lock?: HeldLock;
  /** What was recovered before training (leftovers removed, a lock taken over), to show the user. */
  onNote?: (note: { en: string; ko: string }) => void;
}


export function runTrainingJob(runDir: string, options: JobOptions = {}): Promise<DoneEvent> {
  return new Promise((resolve, reject) => {
    const child = forkSibling(import.meta.url, "child", [runDir]);
    if (child.pid !== undefined) options.lock?.transfer(child.pid);
    const lastLines = tailOutput(child, 30, options.onLog);
    let done: DoneEvent | undefined;
    let failure: LocaltuneError | undefined;
    child.on("message", (raw) => {
      const message = raw as { kind: "event"; event: TrainEvent } | { kind: "error"; name: string; message: string; ko?: string; stack?: string };
      if (message.kind === "event") {
        if (message.event.type === "done") done = message.event;
        options.onEvent?.(message.event);
      } else {
        failure = new LocaltuneError(message.ko ? { en: message.message, ko: message.ko } : message.message);
        failure.name = message.name;
        if (message.stack) failure.stack = message.stack;
      }
    });
    // The terminal sends Ctrl-C to the whole process group, so the child sees it too; forwarding covers a parent
    // that was signalled alone (a supervisor, the web UI). It goes as an IPC message, not a signal: on Windows
    // child.kill("SIGINT") ends the child at once and the promised checkpoint would be lost.
    const forward = () => {
      if (child.connected) child.send(STOP_MESSAGE);
      else if (process.platform !== "win32") child.kill("SIGINT");
    };
    process.on("SIGINT", forward);
    options.signal?.addEventListener("abort", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      options.signal?.removeEventListener("abort", forward);
      if (failure) return reject(failure);
      if (code === 0 && done) return resolve(done);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(
        new TrainingCrashedError({
          en: `the training process ${how}. The run folder keeps its last checkpoint; continue with: localtune train resume ${runDir}\nLast output:\n${lastLines.join("\n")}`,
          ko: `학습 프로세스가 비정상 종료했습니다 (${how}). 실행 폴더에 마지막 체크포인트가 남아 있습니다. 이어서 하려면: localtune train resume ${runDir}\n마지막 출력:\n${lastLines.join("\n")}`,
        }),
      );
    });
  });
}
