// Picks the store for an index: the embedded SQLite file in the index folder, or PostgreSQL for a postgres:// URL.
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError, RagIndexEmptyError } from "../errors.js";
import { SQLITE_INDEX_FILE, SqliteRagStore } from "./sqlite-store.js";
import type { RagStore } from "./store.js";

/** Where an index lives, as the user named it (for messages). */
export function indexLabel(index: string, store?: string): string {
  return store ? `${redactUrl(store)} (index "${index}")` : index;
}

/** The URL without its password, for messages and saved configs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** Opens (and with `create`, makes) the store of an index; a missing embedded index is a RagIndexEmptyError. */
export async function openRagStore(index: string, store: string | undefined, create: boolean): Promise<RagStore> {
  if (store !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(store)) {
      throw new InvalidConfigError({
        en: `--store must be a postgres:// or postgresql:// URL, got "${redactUrl(store)}". Leave it out to use the embedded store in the --index folder.`,
        ko: `--store는 postgres:// 또는 postgresql:// URL이어야 합니다 ("${redactUrl(store)}"). 생략하면 --index 폴더의 내장 저장소를 씁니다.`,
      });
    }
    const { PostgresRagStore } = await import("./postgres-store.js");
    return PostgresRagStore.open(store, index, { create });
  }
  if (!create && !fs.existsSync(path.join(index, SQLITE_INDEX_FILE))) throw new RagIndexEmptyError(index, "missing");
  return SqliteRagStore.open(index, { create });
}
