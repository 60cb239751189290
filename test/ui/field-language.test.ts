// The schema-generated form fields of the local UI speak the page's language: each field's help is the schema's
// description in English, and its Korean description (optionFields' descriptionKo) once the page is switched to Korean.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { optionFields } from "../../src/methods/option-fields.js";
import { METHODS } from "../../src/methods/registry.js";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";
import { browserAvailable, launchBrowser, warnIfNoBrowser } from "../helpers/browser.js";

warnIfNoBrowser("test/ui/field-language.test.ts");

describe.skipIf(!browserAvailable)("form field help in the UI's language", () => {
  let workspace = "";
  let server: UiServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-lang-"));
    server = await startUiServer({ port: 0, workspace });
    browser = await launchBrowser();
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("shows the schema's Korean description in Korean and the English one in English", async () => {
    const rank = optionFields(METHODS.find((m) => m.name === "lora")!.schema).find((f) => f.name === "rank")!;
    expect(rank.descriptionKo).toBeDefined();
    const help = () => page.locator('#train-form label.field:has(input[name="rank"]) small').textContent();
    await page.addInitScript('localStorage.setItem("localtune.lang", "en")');
    await page.goto(server.url);
    await page.waitForSelector('#train-form input[name="rank"]');
    expect(await help()).toContain(rank.description);

    await page.click("#lang");
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    await expect.poll(help).toContain(rank.descriptionKo!);
    expect(await help()).not.toContain(rank.description);
  }, 120_000);
});
