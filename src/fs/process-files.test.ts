// Lock files with PIDs and the cleanup of dead writers' temporary files, against real processes: this one (alive),
// a child that has exited (dead), and a child that keeps running.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LockHeldError } from "../errors.js";
import { acquireLock, ATOMIC_TEMP_FILE, isProcessAlive, readOwner, removeDeadProcessFiles } from "./process-files.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-process-files-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const what = { en: "the test resource", ko: "테스트 자원" };
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("acquireLock", () => {
  it("refuses a second taker while the owner runs, and frees the lock on release", () => {
    const file = path.join(root, "a.lock");
    const lock = acquireLock(file, what);
    expect(readOwner(file)?.pid).toBe(process.pid);
    expect(() => acquireLock(file, what)).toThrow(LockHeldError);
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it("takes over the lock of a dead process, and of a lock file cut short, saying so", () => {
    const file = path.join(root, "b.lock");
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: os.hostname(), since: "2026-01-01T00:00:00Z" }));
    const lock = acquireLock(file, what);
    expect(lock.tookOver?.en).toMatch(/took over the lock .*b\.lock left by process \d+ \(since 2026-01-01/);
    expect(lock.tookOver?.ko).toContain("넘겨받았습니다");
    lock.release();
    fs.writeFileSync(file, '{"pid": 12');
    const again = acquireLock(file, what);
    expect(again.tookOver?.en).toMatch(/stopped while writing it/);
    again.release();
  });

  it("never takes over a lock written on another host", () => {
    const file = path.join(root, "c.lock");
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), host: `${os.hostname()}-elsewhere`, since: "" }));
    expect(() => acquireLock(file, what)).toThrow(/on .*-elsewhere/);
  });

  it("stays held by the process it was handed to, and is released by the one that took it", async () => {
    const file = path.join(root, "d.lock");
    const lock = acquireLock(file, what);
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    lock.transfer(child.pid!);
    expect(readOwner(file)?.pid).toBe(child.pid);
    expect(fs.readdirSync(root).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(() => acquireLock(file, what)).toThrow(new RegExp(`process ${child.pid}`));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    expect(isProcessAlive(child.pid!)).toBe(false);
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("removeDeadProcessFiles", () => {
  it("removes the atomic writers' temporary files of dead processes only, reading the PID, not the time", () => {
    const dir = path.join(root, "run");
    fs.mkdirSync(path.join(dir, "checkpoints"), { recursive: true });
    const dead = deadPid();
    const names = {
      deadCheckpoint: path.join(dir, "checkpoints", `.step-00000010.gguf.${dead}.1767225600000.tmp`),
      deadMetrics: path.join(dir, `.metrics.jsonl.${dead}.tmp`),
      liveCheckpoint: path.join(dir, "checkpoints", `.step-00000012.gguf.${process.pid}.1767225600000.tmp`),
      checkpoint: path.join(dir, "checkpoints", "step-00000010.gguf"),
    };
    for (const file of Object.values(names)) fs.writeFileSync(file, "x");
    const removed = removeDeadProcessFiles(dir, ATOMIC_TEMP_FILE, { recursive: true });
    expect(removed.sort()).toEqual([names.deadCheckpoint, names.deadMetrics].sort());
    expect(fs.existsSync(names.liveCheckpoint) && fs.existsSync(names.checkpoint)).toBe(true);
  });
});
