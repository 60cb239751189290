// localtune ui end to end in headless Chromium from npm: from a folder of documents to a trained LoRA adapter to a
// chat with it, without the terminal. Prepare a dataset (folder chosen in the file picker), start a LoRA run on
// stories260K, watch the loss chart gain points while it trains, stop it (checkpoint) and resume it to the end, ask
// the base model and the adapter the same prompt side by side, merge the adapter into a GGUF and export it for LM
// Studio, index the documents for RAG and search them, see the machine's report, switch to Korean; the console stays
// clean.
// LOCALTUNE_UPDATE_SCREENSHOT=1 writes the Train page during the run to docs/ui-train.png (the README's).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";
import { browserAvailable, launchBrowser, warnIfNoBrowser } from "../helpers/browser.js";
import { STORIES_260K } from "../helpers/test-models.js";

const SCREENSHOT = path.resolve("docs/ui-train.png");
const updateScreenshot = process.env.LOCALTUNE_UPDATE_SCREENSHOT === "1";

/** Twelve short TinyStories-like documents, different enough that none is a near-duplicate of another. */
function writeDocuments(dir: string): void {
  let seed = 7;
  const pick = <T>(list: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    // The high bits: an LCG's low bits repeat with a short period, which would make the text trivially periodic.
    return list[(seed >>> 16) % list.length]!;
  };
  const names = ["Lily", "Tom", "Ben", "Mia", "Sam", "Anna", "Max", "Sue"];
  const things = ["a red ball", "a big dog", "a small cat", "a shiny car", "a blue kite", "a happy bird", "a green frog", "a soft bear"];
  const places = ["the park", "the garden", "the house", "the forest", "the beach", "the school", "the farm", "the lake"];
  const moods = ["happy", "sad", "excited", "tired", "brave"];
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 12; i++) {
    const sentences = Array.from({ length: 30 }, () => `${pick(names)} saw ${pick(things)} in ${pick(places)}. ${pick(names)} was very ${pick(moods)} and said, "Let us play with ${pick(things)}!"`);
    fs.writeFileSync(path.join(dir, `story${i}.txt`), `Once upon a time. ${sentences.join(" ")}\n`);
  }
}

warnIfNoBrowser("test/ui/e2e.test.ts");

describe.skipIf(!browserAvailable)("localtune ui in headless Chromium", () => {
  let workspace = "";
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-e2e-"));
    writeDocuments(path.join(workspace, "my-documents"));
    server = await startUiServer({ port: 0, workspace });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    // Everything is served by the UI itself: no request may leave for another host.
    page.on("request", (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith("data:")) problems.push(`outside request: ${r.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("goes from documents to a trained adapter to a chat with it", async () => {
    await page.goto(server.url);
    await page.click('nav button[data-page="data"]');

    // Data: the model's tokenizer counts tokens; the documents folder is chosen in the picker.
    await page.fill('#data-form input[name="model"]', STORIES_260K);
    const inputRow = page.locator('#data-form input[name="input"]').locator("..");
    await inputRow.locator("button").click();
    await page.click('.modal li[data-name="my-documents"]');
    await page.waitForSelector('.modal li[data-name="story0.txt"]');
    await page.click('.modal button.primary');
    expect(await page.inputValue('#data-form input[name="input"]')).toBe(path.join(workspace, "my-documents"));
    await page.click("#add-input");
    await page.fill('#data-form input[name="dataset-name"]', "stories");
    await page.click("#data-form details summary");
    await page.fill('#data-form input[name="valRatio"]', "0.2");
    await page.click("#prepare");
    const report = await page.waitForSelector("#data-result", { timeout: 60_000 });
    expect(await report.textContent()).toMatch(/Is the data enough\?/);
    expect(fs.existsSync(path.join(workspace, "datasets", "stories", "stats.json"))).toBe(true);

    // Train: the form comes from the schemas; LoRA rank 4, 1000 short steps.
    await page.click('nav button[data-page="train"]');
    await page.waitForSelector("#train-form select[name=dataset]");
    expect(await page.inputValue("#train-form select[name=dataset]")).toBe(path.join(workspace, "datasets", "stories"));
    await page.selectOption("#train-form select[name=method]", "lora");
    await page.fill('#train-form input[name="rank"]', "4");
    await page.fill('#train-form input[name="steps"]', "1000");
    await page.fill('#train-form input[name="lr"]', "0.01");
    await page.fill('#train-form input[name="ctx"]', "32");
    await page.fill('#train-form input[name="batch"]', "2");
    await page.fill('#train-form input[name="run-name"]', "first-lora");
    await page.click("#start");

    const card = page.locator('.run[data-run="first-lora"]');
    const chart = card.locator(".chart");
    const points = async () => Number(await chart.getAttribute("data-points"));
    // Polled from here: the page's CSP (no eval) refuses the string predicates waitForFunction would send.
    const waitForPoints = (min: number, timeout: number) => expect.poll(points, { timeout, interval: 100 }).toBeGreaterThanOrEqual(min);
    await waitForPoints(5, 60_000);
    const early = await points();
    // A longer curve for the screenshot, and proof that points keep coming while the run is on.
    await waitForPoints(Math.max(early + 5, 60), 60_000);
    expect(await card.getAttribute("data-status")).toBe("running");
    expect(await points()).toBeGreaterThan(early);
    // uPlot drew into its canvas.
    expect(await chart.locator("canvas").count()).toBeGreaterThan(0);

    const shot = updateScreenshot ? SCREENSHOT : path.join(workspace, "ui-train.png");
    const png = await page.screenshot({ fullPage: true, type: "png" });
    fs.writeFileSync(`${shot}.${process.pid}.tmp`, png);
    fs.renameSync(`${shot}.${process.pid}.tmp`, shot);
    expect(png.readUInt32BE(16)).toBe(1280);

    // Stop: the job checkpoints and ends; the run can be resumed from the page.
    await card.locator('button[data-action="stop"]').click();
    await page.waitForSelector('.run[data-run="first-lora"][data-status="stopped"]', { timeout: 60_000 });
    const runDir = path.join(workspace, "runs", "first-lora");
    const checkpoints = fs.readdirSync(path.join(runDir, "checkpoints"));
    expect(checkpoints.length).toBeGreaterThan(0);
    const stoppedAt = await points();
    expect(stoppedAt).toBeLessThan(1000);
    await card.locator('button[data-action="resume"]').click();
    await page.waitForSelector('.run[data-run="first-lora"][data-status="completed"]', { timeout: 120_000 });
    expect(fs.existsSync(path.join(runDir, "adapter", "adapter.gguf"))).toBe(true);
    // The curve on the page is the run's metrics.jsonl: every step once, through the stop and the resume.
    expect(await points()).toBe(1000);

    // Playground: the same prompt to the base model and to the adapter, greedy, side by side.
    await page.click('nav button[data-page="playground"]');
    await page.check('input[data-column="adapter: first-lora"]');
    await page.fill("#playground textarea[name=prompt]", "Once upon a time");
    await page.click("#generate");
    await page.waitForSelector('[data-output="base"][data-done="true"]', { timeout: 60_000 });
    await page.waitForSelector('[data-output="adapter: first-lora"][data-done="true"]', { timeout: 60_000 });
    const base = (await page.textContent('[data-output="base"] .output')) ?? "";
    const adapted = (await page.textContent('[data-output="adapter: first-lora"] .output')) ?? "";
    expect(await page.locator("[data-output] .error").count()).toBe(0);
    expect(base.trim().length).toBeGreaterThan(0);
    expect(adapted.trim().length).toBeGreaterThan(0);
    // Trained on its own stories until the loss fell well under 1, the adapter answers with them, the base does not.
    expect(adapted).not.toBe(base);

    // Export: the run's LoRA merged into one GGUF under the workspace's exports/.
    await page.click('nav button[data-page="export"]');
    await page.fill('#export input[name="export-name"]', "first-lora-merged");
    await page.click("#merge");
    await page.waitForSelector("#merge-result", { timeout: 60_000 });
    expect(fs.statSync(path.join(workspace, "exports", "first-lora-merged.gguf")).size).toBeGreaterThan(fs.statSync(STORIES_260K).size / 2);

    // The same run quantized for LM Studio (q8_0): a GGUF in its <publisher>/<model>/ layout under exports/.
    await page.selectOption('#runtime-export select[name="target"]', "lmstudio");
    await page.selectOption('#runtime-export select[name="quant"]', "q8_0");
    await page.click("#runtime-export-go");
    await page.waitForSelector("#runtime-result", { timeout: 120_000 });
    const lmstudio = path.join(workspace, "exports", "first-lora-lmstudio");
    const ggufs = (fs.readdirSync(lmstudio, { recursive: true }) as string[]).filter((f) => f.endsWith(".gguf"));
    expect(ggufs).toHaveLength(1);
    expect(await page.textContent("#runtime-result")).toContain(path.join(lmstudio, ggufs[0]!));

    // RAG: index the same documents, search, and see the matched words marked in the passages.
    await page.click('nav button[data-page="rag"]');
    await page.fill('#rag-index input[name="input"]', path.join(workspace, "my-documents"));
    await page.click('#rag-index button:has-text("Add")');
    await page.fill('#rag-index input[name="index-name"]', "stories-index");
    await page.click("#build-index");
    await page.waitForSelector("#index-result", { timeout: 60_000 });
    await page.fill('#rag-search input[name="question"]', "blue kite");
    await page.click("#search");
    await page.waitForSelector("ol.sources li", { timeout: 60_000 });
    const marked = await page.$$eval("ol.sources li mark", (marks) => marks.map((m) => m.textContent?.toLowerCase()));
    expect(marked.length).toBeGreaterThan(0);
    expect(new Set(marked)).toEqual(new Set(["blue", "kite"]));

    // Machine: the doctor's report and plan for this model and dataset (no calibration: quick).
    await page.click('nav button[data-page="machine"]');
    await page.selectOption("#machine select", path.join(workspace, "datasets", "stories"));
    await page.click("#doctor");
    const doctor = await page.waitForSelector("#doctor-report", { timeout: 120_000 });
    expect(await doctor.textContent()).toMatch(/Recommended/);

    // Ladder: its form lists every rung of the registry.
    await page.click('nav button[data-page="ladder"]');
    await page.waitForSelector('#ladder-form input[data-rung="lora-r2"]');

    // Korean: the same pages from the shared message table.
    await page.click("#lang");
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    expect(await page.textContent('nav button[data-page="train"]')).toBe("학습");
    await page.click('nav button[data-page="train"]');
    expect(await page.textContent('.run[data-run="first-lora"] .badge')).toBe("완료");

    // A reload (or a restarted server) loses nothing: the run and its curve come back from disk.
    await page.reload();
    await page.waitForSelector('.run[data-run="first-lora"][data-status="completed"]');
    expect(await points()).toBe(1000);
    expect(problems).toEqual([]);
    // About a minute on an idle 2-core machine; the margin is for a loaded one (the run's 1000 steps dominate).
  }, 600_000);
});
