// The output guard against real files, folders, symbolic links and hard links in a temporary folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OutputOverlapsInputError } from "../errors.js";
import { assertOutputIsNotInput, canonicalPath } from "./output-guard.js";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-guard-")));
const notes = path.join(root, "notes");
fs.mkdirSync(path.join(notes, "work"), { recursive: true });
fs.writeFileSync(path.join(notes, "a.md"), "a");
fs.writeFileSync(path.join(notes, "work", "b.md"), "b");
fs.symlinkSync(notes, path.join(root, "link-to-notes"));
fs.linkSync(path.join(notes, "a.md"), path.join(root, "hard-a.md"));

const relationOf = (fn: () => void) => {
  try {
    fn();
    return "allowed";
  } catch (error) {
    expect(error).toBeInstanceOf(OutputOverlapsInputError);
    return (error as OutputOverlapsInputError).relation;
  }
};

describe("assertOutputIsNotInput", () => {
  it("refuses a folder output equal to, holding, or inside an input folder", () => {
    expect(relationOf(() => assertOutputIsNotInput({ path: notes, kind: "folder" }, [notes]))).toBe("same");
    expect(relationOf(() => assertOutputIsNotInput({ path: notes, kind: "folder" }, [path.join(notes, "work")]))).toBe("contains");
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(notes, "ds"), kind: "folder" }, [notes]))).toBe("inside");
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(root, "ds"), kind: "folder" }, [notes]))).toBe("allowed");
  });

  it("follows symbolic links and hard links", () => {
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(root, "link-to-notes"), kind: "folder" }, [notes]))).toBe("same");
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(root, "link-to-notes", "new", "deeper"), kind: "folder" }, [notes]))).toBe("inside");
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(root, "hard-a.md"), kind: "file" }, [path.join(notes, "a.md")]))).toBe("same");
  });

  it("lets a file output sit beside or inside an input folder, never on an input file", () => {
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(notes, "report.md"), kind: "file" }, [notes]))).toBe("allowed");
    expect(relationOf(() => assertOutputIsNotInput({ path: path.join(root, "link-to-notes", "a.md"), kind: "file" }, [path.join(notes, "a.md")]))).toBe("same");
  });

  it("ignores missing inputs and URLs, and says which input in both languages", () => {
    expect(relationOf(() => assertOutputIsNotInput({ path: notes, kind: "folder" }, [path.join(root, "missing"), "hf:org/model", undefined]))).toBe("allowed");
    try {
      assertOutputIsNotInput({ path: notes, kind: "folder", option: "--index" }, [notes]);
    } catch (error) {
      const e = error as OutputOverlapsInputError;
      expect(e.message).toContain(`--index ${notes}`);
      expect(e.ko).toContain("덮어쓰거나 지우지 않습니다");
    }
  });

  it("canonicalPath resolves the existing part and keeps the rest", () => {
    expect(canonicalPath(path.join(root, "link-to-notes", "x", "y"))).toBe(path.join(notes, "x", "y"));
  });
});
