// Locks around the embedded index. node-sqlite3-wasm locks a database by making the folder `<file>.lock` (one lock
// for readers and writers alike, no shared memory, so no WAL) and a process killed inside a transaction leaves that
// folder behind: every later command then failed with "database is locked". Here every process that opens the index
// registers its PID in `<file>.users/`, so a lock folder with no live user behind it is known to be stale and is
// removed (SQLite then rolls back the interrupted transaction from its journal). Writers never lock the live file:
// they update a copy and rename it into place (sqlite-store.ts), so searches do not wait for `rag index`.
import fs from "node:fs";
import path from "node:path";
import { LocaltuneError } from "../errors.js";
import { isProcessAlive } from "../fs/process-files.js";

/** No search holds the lock this long (writers never take it): an older lock is stale whoever is registered. */
const STALE_AFTER_MS = 120_000;
/** How long a search waits for another search's lock before giving up with a clear message. */
const BUSY_WAIT_MS = 10_000;

/** Registers this process as a user of the database `file` until `release` is called. */
export function registerUser(file: string): { release(): void } {
  const dir = `${file}.users`;
  fs.mkdirSync(dir, { recursive: true });
  // Entries of processes killed while they had the index open go now (a few names to read per open).
  for (const name of safeReaddir(dir)) if (!isProcessAlive(Number(name))) fs.rmSync(path.join(dir, name), { force: true });
  const mine = path.join(dir, String(process.pid));
  // Several stores of one process (the server) share one entry: a count in the file would be another write; instead
  // the entry is removed only when the last store of this process closes.
  openCounts.set(mine, (openCounts.get(mine) ?? 0) + 1);
  fs.writeFileSync(mine, "");
  return {
    release: () => {
      const left = (openCounts.get(mine) ?? 1) - 1;
      openCounts.set(mine, left);
      if (left === 0) fs.rmSync(mine, { force: true });
    },
  };
}
const openCounts = new Map<string, number>();

/**
 * Removes the lock folder of `file` when no live process can be holding it: none of the registered users runs any
 * more (their entries are removed too), or it is older than any search holds it. Returns a note for the user when it
 * removed one. A lock made by a localtune older than this registry, still running, would not be seen as live: such
 * a process would have to run beside this one on the same index.
 */
export function clearStaleLock(file: string): string | undefined {
  const lock = `${file}.lock`;
  const before = statOrUndefined(lock);
  if (!before) return undefined;
  const users = `${file}.users`;
  let live = false;
  for (const name of safeReaddir(users)) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (isProcessAlive(pid)) live = true;
    else fs.rmSync(path.join(users, name), { force: true });
  }
  const old = Date.now() - before.mtimeMs > STALE_AFTER_MS;
  if (live && !old) return undefined;
  // Remove it only if it is still the same lock folder (a new holder would have made a new one).
  const again = statOrUndefined(lock);
  if (!again || again.ino !== before.ino || again.mtimeMs !== before.mtimeMs) return undefined;
  try {
    fs.rmdirSync(lock);
  } catch {
    return undefined;
  }
  return `note: removed the lock ${lock} left by a process that stopped in the middle of a transaction; SQLite rolls back that unfinished transaction, so the index is as it was before it. / 참고: 트랜잭션 도중 멈춘 프로세스가 남긴 잠금 ${lock}을(를) 지웠습니다. SQLite가 끝나지 않은 트랜잭션을 되돌리므로 인덱스는 그 전 상태입니다.`;
}

/**
 * Runs `work`, and while it fails with SQLite's "database is locked" (another search holds the lock for a moment),
 * clears a stale lock or waits and tries again, up to BUSY_WAIT_MS; then a clear error. Synchronous like the store.
 */
export function whileBusy<T>(file: string, work: () => T, onNote?: (note: string) => void): T {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return work();
    } catch (error) {
      // A cached statement whose last step failed with SQLITE_BUSY reports that code again from its next reset
      // (sqlite3_reset returns the previous step's error), which node-sqlite3-wasm words as "Could not reset
      // statement prior to binding new values"; the reset has happened all the same, so the retry after it runs.
      if (!/database is locked|could not reset statement/i.test((error as Error).message)) throw error;
      const note = clearStaleLock(file);
      if (note) {
        onNote?.(note);
        continue;
      }
      if (Date.now() > deadline) {
        throw new LocaltuneError({
          en: `the RAG index ${file} stayed locked for ${BUSY_WAIT_MS / 1000} s by another running process (lock ${file}.lock). Try again when it is done; a lock of a process that no longer runs is removed by itself.`,
          ko: `RAG 인덱스 ${file}이(가) 실행 중인 다른 프로세스 때문에 ${BUSY_WAIT_MS / 1000}초 동안 잠겨 있었습니다 (잠금 ${file}.lock). 그 작업이 끝난 뒤 다시 시도하세요. 더 이상 실행되지 않는 프로세스의 잠금은 자동으로 지워집니다.`,
        });
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    }
  }
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
