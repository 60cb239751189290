// Finds system shared libraries by name the way the dynamic loader would: the ldconfig cache and LD_LIBRARY_PATH on
// Linux, PATH and System32 on Windows; plus the CUDA toolkit folders node-llama-cpp also searches.
import fs from "node:fs";
import path from "node:path";
import type { CommandRunner } from "./command.js";

export interface LibraryCheck {
  name: string;
  /** Full path where it was found, or null. */
  foundAt: string | null;
}

/** Library paths of `ldconfig -p` output: "\tlibcudart.so.13 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.13". */
export function parseLdconfig(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of text.matchAll(/^\s*(\S+)\s+\([^)]*\)\s+=>\s+(\S+)\s*$/gm)) {
    if (!map.has(m[1]!)) map.set(m[1]!, m[2]!);
  }
  return map;
}

function cudaToolkitDirs(): string[] {
  const dirs: string[] = [];
  for (const root of ["/usr/local", "/opt"]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(root).filter((n) => /^cuda(-[\d.]+)?$/.test(n));
    } catch {
      continue;
    }
    for (const n of names) {
      dirs.push(path.join(root, n, "lib64"));
      const targets = path.join(root, n, "targets");
      if (fs.existsSync(targets)) for (const t of fs.readdirSync(targets)) dirs.push(path.join(targets, t, "lib"));
    }
  }
  return dirs;
}

/** Folders searched besides the loader cache, in the loader's order of preference. */
export function librarySearchDirs(platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  // The target platform's path rules, not the running one's: PATH on Windows is split at ";" ("C:\..." holds a ":").
  const p = platform === "win32" ? path.win32 : path.posix;
  const split = (v: string | undefined) => (v ?? "").split(p.delimiter).filter(Boolean);
  if (platform === "win32") {
    const system = p.join(env.SystemRoot ?? "C:\\Windows", "System32");
    const cuda = env.CUDA_PATH ? [p.join(env.CUDA_PATH, "bin"), p.join(env.CUDA_PATH, "bin", "x64")] : [];
    return [...split(env.PATH), system, ...cuda];
  }
  if (platform === "darwin") return [...split(env.DYLD_LIBRARY_PATH), "/usr/local/lib", "/opt/homebrew/lib"];
  return [
    ...split(env.LD_LIBRARY_PATH),
    "/usr/lib", "/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/wsl/lib",
    ...cudaToolkitDirs(),
  ];
}

/** Looks each library up: first the loader cache (Linux), then the search folders. */
export async function findLibraries(
  names: readonly string[],
  run: CommandRunner,
  platform = process.platform,
  dirs: readonly string[] = librarySearchDirs(platform),
): Promise<LibraryCheck[]> {
  let cache = new Map<string, string>();
  if (platform === "linux") {
    for (const program of ["ldconfig", "/sbin/ldconfig"]) {
      const r = await run(program, ["-p"]).catch(() => undefined);
      if (r && r.exitCode === 0) {
        cache = parseLdconfig(r.stdout);
        break;
      }
    }
  }
  return names.map((name) => {
    const cached = cache.get(name);
    if (cached) return { name, foundAt: cached };
    const dir = dirs.find((d) => fs.existsSync(path.join(d, name)));
    return { name, foundAt: dir ? path.join(dir, name) : null };
  });
}
