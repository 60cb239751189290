// report.html in a real browser: headless Chromium from npm (test/helpers/browser.ts, driven by playwright-core) opens
// the report built from the fixture and every declared chart must render with its data drawn, the table must hold
// every run, and the console must stay clean. Set LOCALTUNE_UPDATE_SCREENSHOT=1 to refresh docs/report-screenshot.png
// (the README's).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReportInput, writeReport } from "../src/report/index.js";
import { browserAvailable, launchBrowser, warnIfNoBrowser } from "./helpers/browser.js";

const FIXTURE = path.resolve("test/fixtures/report/results.json");
const SCREENSHOT = path.resolve("docs/report-screenshot.png");
const updateScreenshot = process.env.LOCALTUNE_UPDATE_SCREENSHOT === "1";

warnIfNoBrowser("test/report-browser.test.ts");

describe.skipIf(!browserAvailable)("report.html in headless Chromium", () => {
  const input = loadReportInput(FIXTURE);
  let dir = "";
  let browser: Browser | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-report-browser-"));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("renders every chart with its data, the full table, and no console errors", async () => {
    const { html: htmlFile } = writeReport(input, dir, "en");
    const html = fs.readFileSync(htmlFile, "utf8");
    const declared = [...html.matchAll(/<svg class="chart" data-chart="([^"]+)"/g)].map((m) => m[1]!);
    expect(declared).toEqual(["loss", "quality-time", "quality-params", "memory"]);

    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    const url = pathToFileURL(htmlFile).href;
    // Self-contained means the page loads nothing but itself.
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: "load" });

    const charts = await page.$$eval("svg.chart", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll("polyline.series, circle.point, rect.bar")].map((el) => {
          const b = el.getBoundingClientRect();
          const inside = b.left >= box.left - 1 && b.right <= box.right + 1 && b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
          return {
            tag: el.tagName,
            width: b.width,
            height: b.height,
            inside,
            // The browser's own parse of the points attribute (an unparsable list renders nothing).
            points: el.tagName === "polyline" ? (el as unknown as { points: { numberOfItems: number } }).points.numberOfItems : null,
          };
        });
        return { kind: svg.getAttribute("data-chart"), width: box.width, height: box.height, marks };
      }),
    );
    expect(charts.map((c) => c.kind)).toEqual(declared);

    // What each chart must draw, counted from the fixture: one line per run with a loss curve (of that many
    // points), one dot per run with a cloze score on each quality chart, one bar per run with a peak memory.
    const withCurve = input.runs.filter((r) => r.lossCurve.length > 0);
    const withCloze = input.runs.filter((r) => r.clozeAccuracy !== null).length;
    const withMemory = input.runs.filter((r) => r.peakMemoryBytes !== null).length;
    const expected: Record<string, { tag: string; count: number }> = {
      loss: { tag: "polyline", count: withCurve.length },
      "quality-time": { tag: "circle", count: withCloze },
      "quality-params": { tag: "circle", count: withCloze },
      memory: { tag: "rect", count: withMemory },
    };
    for (const chart of charts) {
      expect(chart.width, `${chart.kind} width`).toBeGreaterThan(100);
      expect(chart.height, `${chart.kind} height`).toBeGreaterThan(100);
      const want = expected[chart.kind!]!;
      expect(want.count, `${chart.kind}: the fixture has data for it`).toBeGreaterThan(0);
      expect(chart.marks.map((m) => m.tag)).toEqual(Array(want.count).fill(want.tag));
      for (const mark of chart.marks) {
        expect(mark.width, `${chart.kind} ${mark.tag} width`).toBeGreaterThan(0);
        if (mark.tag !== "polyline") expect(mark.height, `${chart.kind} ${mark.tag} height`).toBeGreaterThan(0);
        expect(mark.inside, `${chart.kind} ${mark.tag} lies inside its chart`).toBe(true);
      }
    }
    expect(charts[0]!.marks.map((m) => m.points)).toEqual(withCurve.map((r) => r.lossCurve.length));

    // The table: one row per run, in order, named by label (or method).
    const firstCells = await page.$$eval("table tbody tr", (rows) => rows.map((r) => r.querySelector("td")?.textContent ?? ""));
    expect(firstCells).toEqual(input.runs.map((r) => r.label ?? r.method));
    const headerCells = await page.$$eval("table thead th", (ths) => ths.length);
    const rowWidths = await page.$$eval("table tbody tr", (rows) => rows.map((r) => r.querySelectorAll("td").length));
    expect(rowWidths).toEqual(input.runs.map(() => headerCells));

    const shot = updateScreenshot ? SCREENSHOT : path.join(dir, "report-screenshot.png");
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    const png = await page.screenshot({ fullPage: true, type: "png" });
    const tmp = `${shot}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, png);
    fs.renameSync(tmp, shot);
    // PNG signature, then the IHDR width: the full page at the viewport's width.
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(1400);

    await page.close();
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
