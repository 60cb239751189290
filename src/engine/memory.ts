// Memory checks before allocation: what the machine has free, and a refusal with the numbers when it is not enough.
import fs from "node:fs";
import os from "node:os";
import { InsufficientMemoryError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";

/** Bytes the OS can give without swapping: MemAvailable on Linux (freemem counts page cache as used), else freemem. */
export function availableMemoryBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/meminfo", "utf8"));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through to the portable figure.
  }
  return os.freemem();
}

/** Throws InsufficientMemoryError when `neededBytes` exceeds the free memory (LOCALTUNE_MEMORY_LIMIT overrides it, for tests and containers). */
export function ensureMemory(neededBytes: number, what: string | Bilingual, advice: string | Bilingual): void {
  const limit = memoryLimitBytes();
  if (neededBytes > limit) throw new InsufficientMemoryError(neededBytes, limit, what, advice);
}

/** What ensureMemory compares with: available memory, or LOCALTUNE_MEMORY_LIMIT (bytes) when set (tests, users who
 *  want to keep memory for other programs). */
export function memoryLimitBytes(): number {
  return process.env.LOCALTUNE_MEMORY_LIMIT ? Number(process.env.LOCALTUNE_MEMORY_LIMIT) : availableMemoryBytes();
}

/** Resident set size of this process now, in bytes. */
export function residentBytes(): number {
  return process.memoryUsage().rss;
}

/** Peak resident set size of this process in bytes (VmHWM on Linux, else the current RSS). */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: the current RSS is the best figure available.
  }
  return process.memoryUsage().rss;
}
