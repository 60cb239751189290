// Finds the input files: files named directly, and folders walked recursively (sorted, so runs are repeatable),
// filtered by include / exclude globs. Everything not taken is reported with the reason, including what cannot be
// read at all (a dangling link, a link loop, no permission): listed, and the walk goes on.
import fs from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { FileNotFoundError } from "../errors.js";
import { walkTree } from "../fs/walk-tree.js";
import type { SkipEntry, SourceFile } from "./types.js";

/** Extensions the readers understand when found inside a folder. A file named directly is always tried. */
export const KNOWN_EXTENSIONS = ["txt", "text", "md", "markdown", "html", "htm", "pdf", "docx", "jsonl", "json", "csv"] as const;

export interface DiscoverOptions {
  include?: string[];
  exclude?: string[];
}

export interface Discovered {
  files: SourceFile[];
  skipped: SkipEntry[];
}

/** Resolves inputs into files; a missing input path is an error (FileNotFoundError), not a skip. */
export function discoverInputs(inputs: string[], options: DiscoverOptions = {}): Discovered {
  const include = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
  const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : undefined;
  const files: SourceFile[] = [];
  const skipped: SkipEntry[] = [];
  const seen = new Set<string>();
  const take = (abs: string, rel: string, named: boolean) => {
    let real: string;
    let size: number;
    try {
      real = fs.realpathSync(abs);
      size = fs.statSync(abs).size;
      fs.accessSync(abs, fs.constants.R_OK);
    } catch (error) {
      return skipped.push(unreadableSkip(rel, error));
    }
    if (seen.has(real)) return;
    seen.add(real);
    const ext = path.extname(abs).slice(1).toLowerCase();
    if (exclude?.(rel)) return skipped.push({ source: rel, reason: "excluded", message: "matches --exclude" });
    if (include && !include(rel)) return skipped.push({ source: rel, reason: "excluded", message: "does not match --include" });
    if (!named && !(KNOWN_EXTENSIONS as readonly string[]).includes(ext)) {
      return skipped.push({ source: rel, reason: "unsupported", message: `unsupported extension ".${ext}"` });
    }
    files.push({ path: abs, rel, ext, size });
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "input");
    const stat = fs.statSync(input);
    if (stat.isFile()) {
      take(path.resolve(input), path.basename(input), true);
      continue;
    }
    const root = path.resolve(input);
    // Links to folders are not followed (listed as such); hidden folders are listed and not entered.
    const relative = (abs: string) => path.relative(root, abs).split(path.sep).join("/") || ".";
    const walk = walkTree(root, {
      onUnreadable: (dir, error) => skipped.push(unreadableSkip(relative(dir), error)),
      descend: (entry) => !entry.name.startsWith("."),
    });
    for (const { entry, absolutePath: abs } of walk) {
      const rel = relative(abs);
      if (entry.name.startsWith(".")) {
        skipped.push({ source: rel, reason: "hidden", message: "hidden file or folder (name starts with '.')" });
      } else if (entry.isDirectory()) continue;
      else if (entry.isFile()) take(abs, rel, false);
      else if (entry.isSymbolicLink()) {
        let target: fs.Stats | undefined;
        try {
          target = fs.statSync(abs);
        } catch (error) {
          skipped.push(unreadableSkip(rel, error));
        }
        if (target?.isFile()) take(abs, rel, false);
        else if (target) skipped.push({ source: rel, reason: "unsupported", message: "a link to a folder or special file (links to folders are not followed)" });
      } else skipped.push({ source: rel, reason: "unsupported", message: "not a regular file" });
    }
  }
  return { files, skipped };
}

/** A path that cannot be read, with the reason in words (the error code stays in the message for searching). */
export function unreadableSkip(rel: string, error: unknown): SkipEntry {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const why: Record<string, string> = {
    ENOENT: "a dangling link or a file that vanished (nothing at the path it points to)",
    ELOOP: "a link loop (links that point at each other)",
    EACCES: "no permission to read it",
    EPERM: "no permission to read it",
    EISDIR: "a folder where a file was expected",
    EIO: "an input/output error from the disk",
  };
  return { source: rel, reason: "unreadable", message: `${why[code] ?? (error as Error).message} (${code || "error"}); left out, the other inputs were read` };
}
