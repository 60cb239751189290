// RAM and disk: on Linux "available" is MemAvailable (free plus reclaimable cache, what a new process can get);
// elsewhere Node's os.freemem(). Disk is the free space of the workspace's file system.
import fs from "node:fs";
import os from "node:os";

export interface MemoryInfo {
  totalBytes: number;
  availableBytes: number;
  source: "/proc/meminfo" | "os";
}

export interface DiskInfo {
  path: string;
  /** Bytes an unprivileged process can still write (statfs bavail). */
  freeBytes: number;
  totalBytes: number;
}

/** MemTotal and MemAvailable (kB in the file) as bytes; undefined when MemAvailable is absent (kernels < 3.14). */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | undefined {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb("MemTotal");
  const available = kb("MemAvailable");
  return total !== undefined && available !== undefined ? { totalBytes: total, availableBytes: available } : undefined;
}

export function detectMemory(platform = process.platform): MemoryInfo {
  if (platform === "linux") {
    try {
      const m = parseMeminfo(fs.readFileSync("/proc/meminfo", "utf8"));
      if (m) return { ...m, source: "/proc/meminfo" };
    } catch {
      // Unreadable /proc (sandboxes): os figures below, and the source says so.
    }
  }
  return { totalBytes: os.totalmem(), availableBytes: os.freemem(), source: "os" };
}

export function detectDisk(dir: string): DiskInfo {
  const s = fs.statfsSync(dir);
  return { path: dir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}
