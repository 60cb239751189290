// The UI's message table: every message in both languages with the same placeholders, and every key the web app
// asks for (t("key") in web/*.js) present, so no page shows a raw key in either language.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UI_MESSAGES } from "./ui-messages.js";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("UI_MESSAGES", () => {
  it("has English and Korean for every message, with the same placeholders", () => {
    for (const [key, message] of Object.entries(UI_MESSAGES)) {
      expect(message.en.trim(), key).not.toBe("");
      expect(message.ko.trim(), key).not.toBe("");
      expect(placeholders(message.ko), key).toEqual(placeholders(message.en));
    }
  });

  it("holds every key the web app uses", () => {
    const web = path.resolve("web");
    const used = new Set<string>();
    for (const file of fs.readdirSync(web).filter((f) => f.endsWith(".js"))) {
      const source = fs.readFileSync(path.join(web, file), "utf8");
      for (const m of source.matchAll(/\bt\("(\w+)"/g)) used.add(m[1]!);
      // The page list names its titles by key.
      for (const m of source.matchAll(/"(nav\w+)"/g)) used.add(m[1]!);
      // Status badges are looked up as t(`status_${status}`).
      if (source.includes("t(`status_${")) for (const s of ["running", "stopping", "completed", "stopped", "failed", "incomplete"]) used.add(`status_${s}`);
    }
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in UI_MESSAGES))).toEqual([]);
  });
});
