// Walks a folder tree in name order with an explicit stack rather than recursion, so a deep tree cannot overflow the
// call stack; entries come in the order a recursive walk would give them (a folder's contents where the folder
// sorts). Links are yielded, never followed into, so a link cycle cannot make the walk endless. Used by data
// prepare's discovery and by RAG's document listing.
import fs from "node:fs";
import path from "node:path";

export interface WalkOptions {
  /** Called for a folder that cannot be listed (permissions, vanished); the walk goes on without it. */
  onUnreadable: (dir: string, error: unknown) => void;
  /** Whether to enter a folder (default: every folder). A folder is yielded either way. */
  descend?: (entry: fs.Dirent, absolutePath: string) => boolean;
  /** Order of names within a folder (default: by UTF-16 code units, as a plain sort). */
  compare?: (a: string, b: string) => number;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every entry below `root` (not root itself), with its absolute path. */
export function* walkTree(root: string, options: WalkOptions): Generator<{ entry: fs.Dirent; absolutePath: string }> {
  const compare = options.compare ?? byCodeUnits;
  const list = (dir: string): fs.Dirent[] => {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => compare(a.name, b.name));
    } catch (error) {
      options.onUnreadable(dir, error);
      return [];
    }
  };
  const stack = [{ dir: root, entries: list(root), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const entry = top.entries[top.next++];
    if (!entry) {
      stack.pop();
      continue;
    }
    const absolutePath = path.join(top.dir, entry.name);
    yield { entry, absolutePath };
    if (entry.isDirectory() && (options.descend?.(entry, absolutePath) ?? true)) stack.push({ dir: absolutePath, entries: list(absolutePath), next: 0 });
  }
}
