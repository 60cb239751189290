// Training jobs started from the local UI: each runs in its own child process (startTraining / resumeTraining), its
// events go out to every open page, and a crash leaves the server running with the job's error to show.
import fs from "node:fs";
import path from "node:path";
import { LocaltuneError } from "../errors.js";
import { resolveModelPath } from "../native/model-source.js";
import { resumeTraining, startTraining, type TrainConfigInput, type TrainEvent } from "../train/index.js";
import { RunFolder, type MetricsRecord } from "../train/run-folder.js";
import type { LadderUiEvent } from "./ui-ladder.js";
import type { Workspace } from "./ui-workspace.js";

/** Something every open page hears (server-sent events). */
export type UiEvent =
  | { kind: "train"; run: string; event: TrainEvent }
  | { kind: "job"; run: string; status: JobStatus; error?: BilingualError }
  | { kind: "prepare"; out: string; phase: string; done: number; total: number }
  | { kind: "progress"; task: "rag-index" | "merge"; out: string; done: number; total: number; item: string }
  | LadderUiEvent;

export type JobStatus = "running" | "stopping" | "completed" | "stopped" | "failed";
export interface BilingualError {
  name: string;
  en: string;
  ko: string;
}

/** A job action that does not fit the job's state: stopping what is not running, starting what already runs, or
 *  acting on a folder outside the workspace. */
export class JobStateError extends LocaltuneError {}

/** A job's child process died without reporting an error (native abort, out of memory, killed). */
export class JobCrashedError extends LocaltuneError {}

export function bilingualError(error: unknown): BilingualError {
  if (error instanceof LocaltuneError) return { name: error.name, en: error.message, ko: error.ko ?? error.message };
  const text = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : "Error", en: text, ko: text };
}

/** Fan-out of UI events to the open event streams. */
export class UiEventHub {
  private readonly listeners = new Set<(event: UiEvent) => void>();
  subscribe(listener: (event: UiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(event: UiEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

interface Job {
  status: JobStatus;
  controller: AbortController;
  /** The latest start event (totals, memory plan), so a page opened mid-run can show them. */
  start?: Extract<TrainEvent, { type: "start" }>;
  last?: Extract<TrainEvent, { type: "step" }>;
  done?: Extract<TrainEvent, { type: "done" }>;
  error?: BilingualError;
}

/** A run on disk as the UI lists it. */
export interface RunSummary {
  dir: string;
  name: string;
  method: string;
  model: string;
  status: JobStatus | "incomplete";
  checkpoints: number[];
  output: string | null;
  metrics: MetricsRecord[];
  start?: Extract<TrainEvent, { type: "start" }>;
  last?: Extract<TrainEvent, { type: "step" }>;
  /** How this server's latest job on the run ended (peak memory, output). */
  done?: Extract<TrainEvent, { type: "done" }>;
  error?: BilingualError;
}

export class TrainingJobs {
  private readonly jobs = new Map<string, Job>();
  constructor(
    private readonly workspace: Workspace,
    private readonly hub: UiEventHub,
  ) {}

  /** Starts a run in <workspace>/runs/<name>; resolves once its folder exists (the library validated the config). */
  async start(name: string, requested: Omit<TrainConfigInput, "out">): Promise<string> {
    const out = this.workspace.outputDir("runs", name);
    const configFile = path.join(out, "config.json");
    // An hf: name or URL is downloaded (or found in the cache) first, so startTraining below creates the run folder
    // before its first await, as it does for a local path; otherwise this request would wait for the whole run.
    const input = { ...requested, model: await resolveModelPath(requested.model) };
    // The library refuses a folder that holds a run; its error says so (and the running job's entry stays).
    if (fs.existsSync(configFile)) await startTraining({ ...input, out });
    const job: Job = { status: "running", controller: new AbortController() };
    // startTraining validates and creates the run folder before its first await: the folder exists now, or it failed.
    const running = startTraining({ ...input, out }, this.jobOptions(out, job));
    if (!fs.existsSync(configFile)) await running;
    this.jobs.set(out, job);
    this.follow(out, job, running);
    return out;
  }

  /** Continues a stopped or crashed run from its newest checkpoint. */
  resume(runDir: string): void {
    const dir = this.ownedRun(runDir);
    const job = this.newJob(dir);
    this.follow(dir, job, resumeTraining(dir, this.jobOptions(dir, job)));
  }

  /** Asks the run to finish its step, write a checkpoint and stop. */
  stop(runDir: string): void {
    const job = this.jobs.get(path.resolve(runDir));
    if (!job || job.status !== "running") {
      throw new JobStateError({ en: `no running job for ${runDir}.`, ko: `${runDir}에서 실행 중인 작업이 없습니다.` });
    }
    job.status = "stopping";
    this.hub.publish({ kind: "job", run: path.resolve(runDir), status: "stopping" });
    job.controller.abort();
  }

  /** Every run under <workspace>/runs/, with its metrics and the state of its job. */
  list(): RunSummary[] {
    const runs: RunSummary[] = [];
    for (const dir of this.workspace.list("runs")) {
      if (!fs.existsSync(path.join(dir, "config.json"))) continue;
      const folder = RunFolder.open(dir);
      const job = this.jobs.get(dir);
      let method = "?";
      let model = "";
      try {
        const config = folder.readConfig();
        method = config.method;
        model = config.model;
      } catch {
        // A damaged config.json: the run is still listed, so the user sees it; resuming it reports the problem.
      }
      const output = [path.join(folder.adapterDir), path.dirname(folder.modelFile)].find((p) => fs.existsSync(p)) ?? null;
      const checkpoints = folder.checkpointSteps();
      const status: RunSummary["status"] = job ? job.status : output ? "completed" : checkpoints.length > 0 ? "stopped" : "incomplete";
      runs.push({
        dir,
        name: path.basename(dir),
        method,
        model,
        status,
        checkpoints,
        output,
        metrics: folder.readMetrics(),
        ...(job?.start ? { start: job.start } : {}),
        ...(job?.last ? { last: job.last } : {}),
        ...(job?.done ? { done: job.done } : {}),
        ...(job?.error ? { error: job.error } : {}),
      });
    }
    return runs;
  }

  /** Stops every running job (server shutdown): each writes its checkpoint. */
  async stopAll(): Promise<void> {
    for (const job of this.jobs.values()) if (job.status === "running") job.controller.abort();
  }

  private ownedRun(runDir: string): string {
    const dir = path.resolve(runDir);
    if (!this.workspace.owns("runs", dir)) {
      throw new JobStateError({
        en: `${runDir} is not a run of this workspace (${this.workspace.root}/runs).`,
        ko: `${runDir}은(는) 이 작업 공간(${this.workspace.root}/runs)의 실행이 아닙니다.`,
      });
    }
    const job = this.jobs.get(dir);
    if (job && (job.status === "running" || job.status === "stopping")) {
      throw new JobStateError({ en: `${runDir} is already running.`, ko: `${runDir}은(는) 이미 실행 중입니다.` });
    }
    return dir;
  }

  private newJob(dir: string): Job {
    const job: Job = { status: "running", controller: new AbortController() };
    this.jobs.set(dir, job);
    return job;
  }

  private jobOptions(dir: string, job: Job) {
    return {
      signal: job.controller.signal,
      onEvent: (event: TrainEvent) => {
        if (event.type === "start") job.start = event;
        if (event.type === "step") job.last = event;
        if (event.type === "done") job.done = event;
        this.hub.publish({ kind: "train", run: dir, event });
      },
    };
  }

  private follow(dir: string, job: Job, running: Promise<{ done: Extract<TrainEvent, { type: "done" }> }>): void {
    this.hub.publish({ kind: "job", run: dir, status: "running" });
    running.then(
      ({ done }) => {
        job.status = done.reason === "interrupted" ? "stopped" : "completed";
        this.hub.publish({ kind: "job", run: dir, status: job.status });
      },
      (error: unknown) => {
        job.status = "failed";
        job.error = bilingualError(error);
        this.hub.publish({ kind: "job", run: dir, status: "failed", error: job.error });
      },
    );
  }
}
