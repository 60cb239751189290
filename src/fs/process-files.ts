// Files that belong to one process: lock files that record their owner's PID (a second owner gets a clear error, a
// dead owner's lock is taken over), and temporary files named after their writer's PID (a dead writer's leftovers are
// removed at the next start). Liveness is a signal-0 probe; a lock written on another host is never taken over.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LockHeldError, LocaltuneError } from "../errors.js";

/** A message in both languages. */
type Bilingual = { en: string; ko: string };

/** Whether a process with this PID runs on this machine (EPERM: it runs under another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface HeldLock {
  file: string;
  /** Set when a dead process's lock was taken over: what to tell the user. */
  tookOver?: Bilingual;
  /**
   * Records another process (a child doing the work) as the owner, so that the lock stays held while that process
   * runs even if this one is killed. Written to a temporary name and renamed, so the file is never seen half-written.
   */
  transfer(pid: number): void;
  /** Removes the lock if this process, or the one it was transferred to, still owns it. */
  release(): void;
}

/**
 * Takes the lock file `file` for this process (created exclusively, so two takers cannot both win). A lock of a dead
 * process on this host is replaced, and `tookOver` says so; a live owner, or one on another host, is a LockHeldError.
 */
export function acquireLock(file: string, what: Bilingual): HeldLock {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  let tookOver: Bilingual | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me) + "\n", { flag: "wx" });
      const owners = new Set([process.pid]);
      return {
        file,
        ...(tookOver ? { tookOver } : {}),
        transfer: (pid: number) => {
          owners.add(pid);
          // Named like the atomic writers' temporary files, so a leftover of a kill here is cleaned like theirs.
          const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
          fs.writeFileSync(tmp, JSON.stringify({ ...me, pid, since: new Date().toISOString() }) + "\n");
          fs.renameSync(tmp, file);
        },
        release: () => {
          const owner = readOwner(file)?.pid;
          if (owner !== undefined && owners.has(owner)) fs.rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(file);
    if (owner && (owner.host !== me.host || isProcessAlive(owner.pid))) {
      throw new LockHeldError(file, owner.pid, what, owner.host !== me.host ? owner.host : undefined);
    }
    // A dead owner (or a lock file cut short by a kill while being written): move it aside under a name of our own
    // first, so that of two processes taking over at once only one removes it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
      fs.rmSync(aside, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const by = owner ? `process ${owner.pid} (since ${owner.since})` : "a process that was stopped while writing it";
    const byKo = owner ? `프로세스 ${owner.pid} (${owner.since}부터)` : "기록 도중 멈춘 프로세스";
    tookOver = {
      en: `note: took over the lock ${file} left by ${by}, which no longer runs.`,
      ko: `참고: 더 이상 실행되지 않는 ${byKo}이(가) 남긴 잠금 ${file}을(를) 넘겨받았습니다.`,
    };
  }
  throw new LocaltuneError({
    en: `could not take the lock ${file}: other processes keep taking it. Try again.`,
    ko: `잠금 ${file}을(를) 얻지 못했습니다: 다른 프로세스들이 계속 가져갑니다. 다시 시도하세요.`,
  });
}

/** The owner recorded in a lock file, or undefined when it is missing or unreadable (cut short by a kill). */
export function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockOwner>;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? { pid: owner.pid, host: owner.host, since: String(owner.since ?? "") } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes entries of `dir` whose name `pattern` matches with the writer's PID as its first group, when that process
 * no longer runs. Returns the removed names (callers list them). `recursive` also walks sub-folders.
 */
export function removeDeadProcessFiles(dir: string, pattern: RegExp, options: { recursive?: boolean } = {}): string[] {
  const removed: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    const pid = pattern.exec(entry.name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) {
      fs.rmSync(full, { recursive: true, force: true });
      removed.push(full);
    } else if (options.recursive && entry.isDirectory() && !entry.isSymbolicLink()) {
      removed.push(...removeDeadProcessFiles(full, pattern, options));
    }
  }
  return removed;
}

/** Temporary names of the atomic writers (formats/atomic-file.ts, data/io.ts): `.<name>.<pid>[.<ms>].tmp`. */
// Non-greedy, so that in `.step-00000010.gguf.4242.1735000000000.tmp` the PID is 4242, not the time. Only used in
// folders this process holds a lock on, where no live writer of another run can be.
export const ATOMIC_TEMP_FILE = /^\..+?\.(\d+)(?:\.\d+)?\.tmp$/;
