// Finds the input files: files named directly, and folders walked recursively (sorted, so runs are repeatable),
// filtered by include / exclude globs. Everything not taken is reported with the reason.
import fs from "node:fs";
import path from "node:path";
import picomatch from "picomatch";
import { FileNotFoundError } from "../errors.js";
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
    const real = fs.realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    const ext = path.extname(abs).slice(1).toLowerCase();
    if (exclude?.(rel)) return skipped.push({ source: rel, reason: "excluded", message: "matches --exclude" });
    if (include && !include(rel)) return skipped.push({ source: rel, reason: "excluded", message: "does not match --include" });
    if (!named && !(KNOWN_EXTENSIONS as readonly string[]).includes(ext)) {
      return skipped.push({ source: rel, reason: "unsupported", message: `unsupported extension ".${ext}"` });
    }
    files.push({ path: abs, rel, ext, size: fs.statSync(abs).size });
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "input");
    const stat = fs.statSync(input);
    if (stat.isFile()) {
      take(path.resolve(input), path.basename(input), true);
      continue;
    }
    const root = path.resolve(input);
    const walk = (dir: string) => {
      const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const abs = path.join(dir, entry.name);
        const rel = path.relative(root, abs).split(path.sep).join("/");
        if (entry.name.startsWith(".")) {
          skipped.push({ source: rel, reason: "hidden", message: "hidden file or folder (name starts with '.')" });
        } else if (entry.isDirectory()) walk(abs);
        else if (entry.isFile() || (entry.isSymbolicLink() && fs.statSync(abs).isFile())) take(abs, rel, false);
        else skipped.push({ source: rel, reason: "unsupported", message: "not a regular file" });
      }
    };
    walk(root);
  }
  return { files, skipped };
}
