// Where the local UI may write (runs/, datasets/, indexes/, exports/ and ladders/ under the workspace it was started in,
// by a name the user gives)
// and what its file picker shows (one folder at a time, the one the user navigated to).
import fs from "node:fs";
import path from "node:path";
import { FileNotFoundError, InvalidConfigError } from "../errors.js";

export type OutputKind = "runs" | "datasets" | "indexes" | "exports" | "ladders";

/** A folder name the user typed: letters (any script), digits, dot, dash, underscore; no separators, no leading dot. */
const NAME = /^[\p{L}\p{N}_-][\p{L}\p{N}._-]{0,79}$/u;

export class Workspace {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The folder for a new output named by the user: always inside <workspace>/<kind>/, never an existing input. */
  outputDir(kind: OutputKind, name: string): string {
    const normalized = name.normalize("NFC");
    if (!NAME.test(normalized)) {
      throw new InvalidConfigError({
        en: `"${name}" is not a usable ${kind} name: use letters, digits, ".", "-" or "_" (at most 80, no "/" and no leading ".").`,
        ko: `"${name}"은(는) ${kind} 이름으로 쓸 수 없습니다. 글자, 숫자, ".", "-", "_"만 쓰세요 (80자 이하, "/" 없이, "."로 시작하지 않게).`,
      });
    }
    return path.join(this.root, kind, normalized);
  }

  /** Whether a path lies inside <workspace>/<kind>/ (a run or dataset the UI may act on). */
  owns(kind: OutputKind, target: string): boolean {
    const base = path.join(this.root, kind) + path.sep;
    return path.resolve(target).startsWith(base);
  }

  /** Folders directly under <workspace>/<kind>/. */
  list(kind: OutputKind): string[] {
    const dir = path.join(this.root, kind);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => path.join(dir, e.name))
      .sort();
  }
}

export interface FolderListing {
  dir: string;
  parent: string | null;
  entries: Array<{ name: string; path: string; folder: boolean; bytes: number }>;
}

/** One folder's entries (folders first), for the file picker: nothing below it is read. */
export function listFolder(dir: string): FolderListing {
  const resolved = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new FileNotFoundError(resolved, "folder");
  }
  if (!stat.isDirectory()) throw new InvalidConfigError({ en: `${resolved} is not a folder.`, ko: `${resolved}은(는) 폴더가 아닙니다.` });
  const entries = fs
    .readdirSync(resolved, { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.isFile())
    .map((e) => {
      const full = path.join(resolved, e.name);
      let bytes = 0;
      if (e.isFile()) {
        try {
          bytes = fs.statSync(full).size;
        } catch {
          bytes = 0;
        }
      }
      return { name: e.name, path: full, folder: e.isDirectory(), bytes };
    })
    .sort((a, b) => Number(b.folder) - Number(a.folder) || a.name.localeCompare(b.name));
  const parent = path.dirname(resolved);
  return { dir: resolved, parent: parent === resolved ? null : parent, entries };
}
