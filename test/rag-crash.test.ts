// Issue 20, finding 4: `kill -9` in the middle of `rag index` (or of anything holding the index's SQLite lock) must
// not leave the index locked. A real CLI child is killed mid-transaction; `rag search` then works with no manual
// step, and the next `rag index` takes over the dead writer's lock and finishes.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localtune } from "./helpers/cli.js";
import { LAW_FILES, tempDir } from "./rag-helpers.js";

const root = tempDir("rag-crash");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const docs = path.join(root, "docs");
const index = path.join(root, "idx");

/** Many small statute-like files: enough work that the indexing transaction lasts a few seconds. */
function writeDocs(count: number, word: string): void {
  fs.mkdirSync(docs, { recursive: true });
  for (let i = 0; i < count; i++) {
    fs.writeFileSync(path.join(docs, `doc-${String(i).padStart(5, "0")}.md`), `# 문서 ${i}\n\n##### 제${i}조 (${word})\n\n${word} 조항 ${i}번: 근로자는 ${i}일의 휴가와 ${word}에 관한 권리를 가진다. ${"보충 설명 문장입니다. ".repeat(20)}\n`);
  }
}

const search = (q: string) => localtune(["rag", "search", q, "--index", index, "--json"]);

beforeAll(async () => {
  fs.mkdirSync(docs, { recursive: true });
  for (const file of LAW_FILES) fs.copyFileSync(file, path.join(docs, path.basename(file)));
  const first = await localtune(["rag", "index", docs, "--index", index]);
  expect(first.code, first.stderr).toBe(0);
}, 120_000);

/** Starts a child, waits until `ready()` holds (polled), kills it with SIGKILL and waits for it to be gone. */
async function killWhen(args: string[], ready: () => boolean, script = "bin/localtune.js"): Promise<void> {
  const child = spawn(process.execPath, [script, ...args], { stdio: "ignore" });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > 60_000) throw new Error("the child never reached the point to kill it at");
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  await exited;
}

describe("kill -9 during rag index", () => {
  it("leaves an index that rag search reads at once, and the next rag index recovers", async () => {
    const before = await search("연차 유급휴가");
    expect(before.code, before.stderr).toBe(0);
    const hitsBefore = JSON.parse(before.stdout).hits;
    expect(hitsBefore.length).toBeGreaterThan(0);

    writeDocs(1500, "특별휴가");
    // Killed while its update transaction is open (its journal exists), three times over.
    const journal = () => fs.readdirSync(index).some((n) => /-journal$/.test(n));
    for (let i = 0; i < 3; i++) await killWhen(["rag", "index", docs, "--index", index], journal);
    expect(fs.readdirSync(index).some((n) => n.endsWith(".writer"))).toBe(true);

    const after = await search("연차 유급휴가");
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).hits).toEqual(hitsBefore);

    const again = await localtune(["rag", "index", docs, "--index", index]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/took over the lock .*\.writer/);
    expect(fs.readdirSync(index).filter((n) => /update-|\.writer$|\.lock$/.test(n))).toEqual([]);
    const found = await search("특별휴가 조항 77번");
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout).hits[0].source).toBe("doc-00077.md");
  }, 300_000);

  it("recovers a lock and journal left on the live file by a process killed in place", async () => {
    const before = JSON.parse((await search("해고의 예고")).stdout).hits;
    // A process that opens the live file itself (as localtune did before working copies), deletes every chunk inside
    // a transaction, and is killed before it commits: the lock folder and a hot journal stay behind.
    const script = path.join(root, "hold-lock.cjs");
    const sqlite = createRequire(import.meta.url).resolve("node-sqlite3-wasm");
    fs.writeFileSync(
      script,
      `const { Database } = require(${JSON.stringify(sqlite)});
       const db = new Database(${JSON.stringify(path.join(index, "index.sqlite"))});
       db.exec("begin; delete from chunks; delete from postings;");
       require("fs").writeFileSync(${JSON.stringify(path.join(root, "held"))}, "");
       setInterval(() => {}, 1000);`,
    );
    await killWhen([], () => fs.existsSync(path.join(root, "held")), script);
    expect(fs.existsSync(path.join(index, "index.sqlite.lock"))).toBe(true);
    expect(fs.existsSync(path.join(index, "index.sqlite-journal"))).toBe(true);

    const after = await search("해고의 예고");
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout).hits).toEqual(before);
    const update = await localtune(["rag", "index", docs, "--index", index]);
    expect(update.code, update.stderr).toBe(0);
    expect(fs.existsSync(path.join(index, "index.sqlite.lock"))).toBe(false);
  }, 120_000);

  it("refuses a second rag index while one runs, naming its process, and searches meanwhile", async () => {
    // A live process that holds the writer lock as a running rag index does (deterministic, unlike racing two
    // indexing runs on a busy machine).
    const lockFile = path.join(index, "index.sqlite.writer");
    const holder = spawn(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(lockFile)}, JSON.stringify({ pid: process.pid, host: require("os").hostname(), since: new Date().toISOString() })); setInterval(() => {}, 1000);`], { stdio: "ignore" });
    const exited = new Promise((resolve) => holder.on("exit", resolve));
    while (!fs.existsSync(lockFile) || !fs.readFileSync(lockFile, "utf8").includes(String(holder.pid))) await new Promise((r) => setTimeout(r, 20));
    writeDocs(300, "경조사휴가");
    const second = await localtune(["rag", "index", docs, "--index", index]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`in use by process ${holder.pid}`);
    expect((await search("해고의 예고")).code).toBe(0);
    holder.kill("SIGKILL");
    await exited;
    const third = await localtune(["rag", "index", docs, "--index", index]);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stderr).toMatch(new RegExp(`took over the lock .* left by process ${holder.pid}`));

    // A real update in progress: a search started while its transaction is open answers from the previous index.
    const hits = JSON.parse((await search("경조사휴가 조항 7번")).stdout).hits;
    writeDocs(1500, "특별휴가");
    const child = spawn(process.execPath, ["bin/localtune.js", "rag", "index", docs, "--index", index], { stdio: "ignore" });
    const done = new Promise((resolve) => child.on("exit", resolve));
    while (!fs.readdirSync(index).some((n) => /-journal$/.test(n))) await new Promise((r) => setTimeout(r, 20));
    const during = await search("경조사휴가 조항 7번");
    expect(during.code, during.stderr).toBe(0);
    expect(JSON.parse(during.stdout).hits.length).toBe(hits.length);
    expect(await done).toBe(0);
  }, 300_000);
});
