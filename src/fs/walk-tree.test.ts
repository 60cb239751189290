import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { walkTree } from "./walk-tree.js";

describe("walkTree", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-walk-"));
  for (const f of ["b.txt", "a/z.txt", "a/c/d.txt", ".hidden/x.txt", "C.txt"]) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), "x");
  }
  fs.symlinkSync(root, path.join(root, "a", "loop"));
  const names = (options: Parameters<typeof walkTree>[1]) => [...walkTree(root, options)].map((e) => path.relative(root, e.absolutePath).split(path.sep).join("/"));

  it("yields entries in the order a recursive walk in name order would, never following links", () => {
    expect(names({ onUnreadable: () => undefined })).toEqual([".hidden", ".hidden/x.txt", "C.txt", "a", "a/c", "a/c/d.txt", "a/loop", "a/z.txt", "b.txt"]);
  });
  it("yields a folder it does not enter, and uses the given name order", () => {
    expect(names({ onUnreadable: () => undefined, descend: (e) => !e.name.startsWith("."), compare: (a, b) => a.localeCompare(b) })).toEqual([".hidden", "a", "a/c", "a/c/d.txt", "a/loop", "a/z.txt", "b.txt", "C.txt"]);
  });
  it("reports a folder it cannot list and goes on", () => {
    const seen: string[] = [];
    expect([...walkTree(path.join(root, "missing"), { onUnreadable: (dir) => seen.push(dir) })]).toEqual([]);
    expect(seen).toEqual([path.join(root, "missing")]);
  });
});
