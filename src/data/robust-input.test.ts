// What a careless or unlucky user feeds `data prepare` and `rag index`: an output folder that is an input (issue 20,
// finding 1), one line of megabytes, links that lead nowhere or in a circle, an unreadable file, a CSV with a broken
// quote, and damaged UTF-8 (finding 6). Each is listed with its reason and the rest of the run goes on.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputOverlapsInputError } from "../errors.js";
import { readSources } from "../rag/sources.js";
import { MAX_SECTION_CHARS } from "../rag/markdown-sections.js";
import { chunkDocument } from "./chunk.js";
import { prepareDataset } from "./prepare.js";
import { DatasetRecordSchema, type DatasetRecord } from "./schema.js";
import { estimateCounter } from "./tokenizer.js";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-robust-")));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (rel: string, data: string | Buffer) => {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return file;
};
const records = (dir: string): DatasetRecord[] =>
  ["train", "val", "test"].flatMap((s) => fs.readFileSync(path.join(dir, `${s}.jsonl`), "utf8").split("\n").filter(Boolean).map((l) => DatasetRecordSchema.parse(JSON.parse(l))));
const isRoot = process.getuid?.() === 0;

/** Sentences with Korean and English words, numbered so that no two chunks are duplicates. */
function longLine(bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const s = `Sentence ${i} tells rule ${(i * 7919) % 10007} about leave, 근로자 ${i}번의 휴가 규정입니다. `;
    parts.push(s);
    length += Buffer.byteLength(s);
  }
  return parts.join("");
}

describe("data prepare never writes over its inputs (finding 1)", () => {
  it("refuses --out equal to, holding, or inside an input, with --force, and leaves every file in place", async () => {
    write("notes/a.md", "# A\n\nfirst note about annual leave.\n");
    write("notes/work/b.md", "# B\n\nsecond note about overtime.\n");
    const notes = path.join(root, "notes");
    const before = fs.readdirSync(notes, { recursive: true }).sort();
    for (const [inputs, out] of [
      [[notes], notes],
      [[path.join(notes, "work")], notes],
      [[notes], path.join(notes, "dataset")],
    ] as const) {
      await expect(prepareDataset({ inputs: [...inputs], out, force: true })).rejects.toThrow(OutputOverlapsInputError);
    }
    expect(fs.readdirSync(notes, { recursive: true }).sort()).toEqual(before);
    expect(fs.readFileSync(path.join(notes, "work/b.md"), "utf8")).toContain("overtime");
  });

  it("removes the temporary and set-aside folders a killed run left beside --out (finding 8)", async () => {
    const child = spawnSync(process.execPath, ["-e", ""]);
    const dead = child.pid!;
    const out = path.join(root, "clean-ds");
    for (const leftover of [`${out}.tmp-${dead}`, `${out}.old-${dead}`]) write(path.join(path.relative(root, leftover), "train.jsonl"), "{}\n");
    const result = await prepareDataset({ inputs: [path.join(root, "notes")], out });
    expect(result.leftovers.sort()).toEqual([`${out}.old-${dead}`, `${out}.tmp-${dead}`]);
    expect(fs.readdirSync(root).filter((n) => n.startsWith("clean-ds"))).toEqual(["clean-ds"]);
  });
});

describe("streaming chunking (finding 6)", () => {
  it("chunks one 50 MB line within the budget, every character kept, without a stack overflow", () => {
    const text = longLine(50 * 2 ** 20);
    const started = performance.now();
    const chunks = chunkDocument(text, false, "long", estimateCounter, { maxTokens: 512, overlapTokens: 0 });
    const seconds = (performance.now() - started) / 1000;
    expect(chunks.length).toBeGreaterThan(10_000);
    expect(Math.max(...chunks.map((c) => c.tokens))).toBeLessThanOrEqual(512);
    // Overlap 0: the chunks are the text cut into consecutive pieces (each trimmed), so no character is lost or doubled.
    const nonSpace = (s: string) => {
      let n = 0;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x20) n++;
      return n;
    };
    expect(chunks.reduce((n, c) => n + nonSpace(c.text), 0)).toBe(nonSpace(text));
    expect(text.startsWith(chunks[0]!.text)).toBe(true);
    expect(text.trimEnd().endsWith(chunks.at(-1)!.text)).toBe(true);
    // About 2 s on one core; the bound only catches a quadratic cut (minutes), on a shared machine.
    expect(seconds).toBeLessThan(60);
  }, 180_000);

  it("prepares a file holding one 3 MB line, and rag reads it into bounded records", async () => {
    const file = write("long/one-line.txt", longLine(3 * 2 ** 20));
    const result = await prepareDataset({ inputs: [path.dirname(file)], out: path.join(root, "long-ds"), maxTokens: 256, overlapTokens: 16 });
    const texts = records(result.outDir);
    expect(texts.length).toBeGreaterThan(1000);
    expect(texts.every((r) => r.kind === "text" && (r.tokens ?? 0) <= 256)).toBe(true);
    const rag = readSources([path.dirname(file)]);
    const ragRecords = rag.groups.flatMap((g) => g.records);
    expect(ragRecords.length).toBeGreaterThan(100);
    expect(Math.max(...ragRecords.map((r) => r.text.length))).toBeLessThanOrEqual(MAX_SECTION_CHARS);
  }, 120_000);
});

describe("unreadable paths, broken CSV and damaged UTF-8 are listed and the run goes on (finding 6)", () => {
  const dir = path.join(root, "mixed");
  write("mixed/good.md", "# Good\n\n연차 유급휴가는 1년간 80퍼센트 이상 출근한 근로자에게 15일을 준다.\n");
  fs.symlinkSync(path.join(dir, "missing.md"), path.join(dir, "dangling.md"));
  fs.symlinkSync(path.join(dir, "loop-b.md"), path.join(dir, "loop-a.md"));
  fs.symlinkSync(path.join(dir, "loop-a.md"), path.join(dir, "loop-b.md"));
  write("mixed/locked.md", "# Locked\n\nno one may read this.\n");
  fs.chmodSync(path.join(dir, "locked.md"), 0o000);
  write("mixed/qa.csv", 'question,answer\n연차는 며칠인가요?,15일입니다.\n야간근로는 언제?,"오후 10시부터\n주휴수당은?,1주 개근 시 받습니다.\n퇴직금 기준은?,1년 이상 근무입니다.\n');
  // Korean UTF-8 with one byte of a character lost on line 2: damaged UTF-8, not windows-1252.
  const korean = Buffer.from("첫 줄은 멀쩡합니다.\n둘째 줄의 글자가 깨졌습니다.\n셋째 줄.\n");
  const cut = korean.indexOf(Buffer.from("글"));
  write("mixed/damaged.txt", Buffer.concat([korean.subarray(0, cut), korean.subarray(cut + 1)]));

  it("data prepare lists each with a reason and keeps the good rows", async () => {
    const result = await prepareDataset({ inputs: [dir], out: path.join(root, "mixed-ds"), maxTokens: 128, overlapTokens: 0 });
    const skip = (source: string) => result.manifest.skipped.filter((s) => s.source === source);
    expect(skip("dangling.md")).toEqual([expect.objectContaining({ reason: "unreadable", message: expect.stringMatching(/dangling.*ENOENT/) })]);
    expect(skip("loop-a.md")).toEqual([expect.objectContaining({ reason: "unreadable", message: expect.stringMatching(/loop.*ELOOP/) })]);
    if (isRoot) console.log("running as root: chmod 000 does not stop root from reading, so the unreadable-file case is not checked");
    else expect(skip("locked.md")).toEqual([expect.objectContaining({ reason: "unreadable", message: expect.stringMatching(/permission.*EACCES/) })]);
    expect(skip("qa.csv")).toEqual([expect.objectContaining({ reason: "invalid-csv", line: 3 })]);
    const chats = records(result.outDir).filter((r) => r.kind === "chat" && r.source === "qa.csv");
    expect(chats.map((r) => (r.kind === "chat" ? r.messages[0]!.content : "")).sort()).toEqual(["연차는 며칠인가요?", "주휴수당은?", "퇴직금 기준은?"].sort());
    expect(skip("damaged.txt")).toEqual([expect.objectContaining({ reason: "invalid-utf8", line: 2 })]);
    const all = JSON.stringify(records(result.outDir));
    expect(all).not.toMatch(/ì|ë|Ã/);
    expect(all).toContain("15일을 준다");
  });

  it("rag index's reader lists them too instead of failing", () => {
    const { groups, skipped } = readSources([dir]);
    expect(groups.map((g) => g.source)).toContain("good.md");
    expect(groups.map((g) => g.source)).not.toContain("damaged.txt");
    expect(skipped.join("\n")).toMatch(/dangling\.md: .*ENOENT/);
    expect(skipped.join("\n")).toMatch(/loop-a\.md: .*ELOOP/);
    expect(skipped.join("\n")).toMatch(/damaged\.txt:2: UTF-8 text with invalid bytes/);
  });
});
