// The one check behind "no command ever writes over or deletes one of its inputs": an output path is compared with
// every input after following symbolic links (and, for existing files, by device and inode, which catches hard
// links), before anything is written. Commands call it first, so a refusal leaves the disk untouched.
import fs from "node:fs";
import path from "node:path";
import { OutputOverlapsInputError } from "../errors.js";

export interface GuardedOutput {
  /** The path the command will write, as the user gave it. */
  path: string;
  /**
   * file: only this path is written (a file, or files named inside an existing folder): refused when it is an input.
   * folder: the path is created, replaced or cleared as a whole: also refused when it holds an input or lies inside one.
   */
  kind: "file" | "folder";
  /** The option that named it, for the message (default --out). */
  option?: string;
}

/**
 * Throws OutputOverlapsInputError when the output is one of the inputs, or (for a folder output) holds one or lies
 * inside one. Inputs that do not exist are ignored (their own command reports them); `hf:` and URL inputs too.
 */
export function assertOutputIsNotInput(output: GuardedOutput, inputs: readonly (string | undefined)[]): void {
  const out = canonicalPath(output.path);
  const outStat = statOrUndefined(output.path);
  for (const input of inputs) {
    if (!input || /^[a-z][a-z0-9+.-]*:\/\//i.test(input) || input.startsWith("hf:")) continue;
    const inStat = statOrUndefined(input);
    if (!inStat) continue;
    const real = canonicalPath(input);
    const relation =
      real === out || (outStat && outStat.dev === inStat.dev && outStat.ino === inStat.ino)
        ? "same"
        : output.kind === "folder" && isInside(real, out)
          ? "contains"
          : output.kind === "folder" && inStat.isDirectory() && isInside(out, real)
            ? "inside"
            : undefined;
    if (relation) throw new OutputOverlapsInputError(output.path, input, relation, output.option);
  }
}

/**
 * The absolute path with every existing part's links resolved: the longest existing ancestor through realpath, the
 * parts that do not exist yet appended as written. Case is whatever the file system reports for the existing part.
 */
export function canonicalPath(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.join(existing, ...rest);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** Whether `child` is strictly inside `parent` (both canonical). */
function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}
