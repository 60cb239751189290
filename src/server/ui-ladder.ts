// Ladder jobs started from the local UI: each runs in a child process (ui-ladder-child.ts), its rung-by-rung events
// go to every open page, and its report.html is served from the ladder's folder under <workspace>/ladders/.
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import type { Lang } from "../i18n/index.js";
import type { LadderEvent, LadderOptionsInput } from "../ladder/index.js";
import { forkSibling, tailOutput } from "../native/fork-module.js";
import { bilingualError, JobCrashedError, JobStateError, type BilingualError, type JobStatus } from "./ui-jobs.js";
import type { Workspace } from "./ui-workspace.js";

export type LadderUiEvent =
  | { kind: "ladder"; out: string; event: LadderEvent }
  | { kind: "ladder-job"; out: string; status: JobStatus; error?: BilingualError };

export interface LadderSummary {
  dir: string;
  name: string;
  status: JobStatus | "incomplete";
  report: string | null;
  error?: BilingualError;
  /** The latest rung event, for a page opened mid-run. */
  rung?: Extract<LadderEvent, { type: "rung" }>;
}

interface LadderJob {
  status: JobStatus;
  kill: () => void;
  error?: BilingualError;
  rung?: Extract<LadderEvent, { type: "rung" }>;
}

export class LadderJobs {
  private readonly jobs = new Map<string, LadderJob>();
  constructor(
    private readonly workspace: Workspace,
    private readonly publish: (event: LadderUiEvent) => void,
  ) {}

  /** Starts a ladder into a new folder <workspace>/ladders/<name>; the child validates the options first. */
  start(name: string, options: Omit<LadderOptionsInput, "out">, lang: Lang): string {
    const out = this.workspace.outputDir("ladders", name);
    // A ladder may replace what an earlier ladder wrote in its folder; from the UI, a name is used once.
    if (fs.existsSync(out)) {
      throw new InvalidConfigError({ en: `${out} already exists; choose another ladder name.`, ko: `${out}이(가) 이미 있습니다. 다른 이름을 고르세요.` });
    }
    const child = forkSibling(import.meta.url, "ui-ladder-child");
    const lastLines = tailOutput(child, 30);
    const job: LadderJob = { status: "running", kill: () => child.kill("SIGTERM") };
    this.jobs.set(out, job);
    child.send({ options: { ...options, out }, lang });
    child.on("message", (raw) => {
      const message = raw as { kind: "event"; event: LadderEvent } | { kind: "done" } | { kind: "error"; name: string; message: string; ko?: string };
      if (message.kind === "event") {
        if (message.event.type === "rung") job.rung = message.event;
        this.publish({ kind: "ladder", out, event: message.event });
      } else if (message.kind === "error") {
        job.error = { name: message.name, en: message.message, ko: message.ko ?? message.message };
      }
    });
    child.on("exit", (code, signal) => {
      if (job.status === "stopping") job.status = "stopped";
      else if (code === 0 && !job.error) job.status = "completed";
      else {
        job.status = "failed";
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        job.error ??= bilingualError(
          new JobCrashedError({
            en: `the ladder process ${how}.\nLast output:\n${lastLines.join("\n")}`,
            ko: `사다리 프로세스가 비정상 종료했습니다 (${how}).\n마지막 출력:\n${lastLines.join("\n")}`,
          }),
        );
      }
      this.publish({ kind: "ladder-job", out, status: job.status, ...(job.error ? { error: job.error } : {}) });
    });
    this.publish({ kind: "ladder-job", out, status: "running" });
    return out;
  }

  stop(dir: string): void {
    const job = this.jobs.get(path.resolve(dir));
    if (!job || job.status !== "running") throw new JobStateError({ en: `no running ladder in ${dir}.`, ko: `${dir}에서 실행 중인 사다리가 없습니다.` });
    job.status = "stopping";
    job.kill();
  }

  list(): LadderSummary[] {
    return this.workspace.list("ladders").map((dir) => {
      const job = this.jobs.get(dir);
      const report = path.join(dir, "report.html");
      const hasReport = fs.existsSync(report);
      return {
        dir,
        name: path.basename(dir),
        status: job ? job.status : hasReport ? "completed" : "incomplete",
        report: hasReport ? report : null,
        ...(job?.error ? { error: job.error } : {}),
        ...(job?.rung ? { rung: job.rung } : {}),
      };
    });
  }

  /** report.html of a ladder in this workspace (self-contained: inline styles and SVG, no scripts). */
  reportHtml(dir: string): string {
    if (!this.workspace.owns("ladders", dir)) {
      throw new InvalidConfigError({ en: `${dir} is not a ladder of this workspace.`, ko: `${dir}은(는) 이 작업 공간의 사다리가 아닙니다.` });
    }
    const file = path.join(path.resolve(dir), "report.html");
    if (!fs.existsSync(file)) throw new InvalidConfigError({ en: `${dir} has no report yet.`, ko: `${dir}에는 아직 보고서가 없습니다.` });
    return fs.readFileSync(file, "utf8");
  }

  stopAll(): void {
    for (const job of this.jobs.values()) if (job.status === "running") job.kill();
  }
}
