import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { whileBusy } from "./sqlite-lock.js";

const { Database } = createRequire(import.meta.url)("node-sqlite3-wasm") as typeof import("node-sqlite3-wasm");

describe("whileBusy", () => {
  it("retries a cached statement whose last step hit the lock: its next reset reports the old SQLITE_BUSY once", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "localtune-busy-")), "index.sqlite");
    const writer = new Database(file);
    writer.exec("create table t (x integer); insert into t values (1), (2);");
    writer.close();
    const db = new Database(file, { fileMustExist: true });
    const statement = db.prepare("select x from t order by x");
    // node-sqlite3-wasm's file lock is a folder beside the database: another process holding it makes reads busy.
    fs.mkdirSync(`${file}.lock`);
    const errors: string[] = [];
    let attempts = 0;
    const rows = whileBusy(file, () => {
      attempts++;
      if (attempts === 2) fs.rmSync(`${file}.lock`, { recursive: true, force: true }); // the other process finishes
      try {
        return statement.all();
      } catch (error) {
        errors.push((error as Error).message);
        throw error;
      }
    });
    expect(rows).toEqual([{ x: 1 }, { x: 2 }]);
    expect(errors[0]).toMatch(/database is locked/);
    expect(errors.some((m) => /Could not reset statement/.test(m))).toBe(true);
    statement.finalize();
    db.close();
  });
});
