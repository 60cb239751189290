// The report writer on a fixture results file: the Markdown matches a hand-checked expected file, the HTML is
// self-contained, its table shows the given numbers, and its four charts carry the fixture's data.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReportInputError } from "../errors.js";
import { formatBytes, formatCount, formatDuration } from "./format.js";
import { renderReportHtml } from "./html.js";
import { renderReportMarkdown, reportTableMarkdown } from "./markdown.js";
import { loadReportInput, parseReportInput, type ReportInput } from "./schema.js";
import { niceTicks } from "./svg.js";
import { writeReport } from "./write.js";

const FIXTURE = path.resolve("test/fixtures/report/results.json");
const input = loadReportInput(FIXTURE);

describe("formatting", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [6400, "6.40K"], // 6400 / 1e3 = 6.4 -> two decimals under 10
    [260160, "260K"], // 260.16 -> no decimals at 100 and above
    [12_345_678, "12.3M"],
    [1_200_000_000, "1.20B"],
  ])("formatCount(%d) = %s", (n, s) => expect(formatCount(n)).toBe(s));

  it("durations and sizes", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(1.25)).toBe("1.3 s");
    expect(formatDuration(185)).toBe("3m 05s"); // 3 x 60 + 5
    expect(formatDuration(3725)).toBe("1h 02m"); // 3600 + 125 s
    expect(formatBytes(52_428_800)).toBe("50.0 MiB"); // 50 x 2^20
    expect(formatBytes(1.2 * 2 ** 30)).toBe("1.20 GiB");
  });

  it("nice ticks are 1, 2 or 5 x 10^k", () => {
    expect(niceTicks(0, 71.666)).toEqual([0, 20, 40, 60]); // raw step 14.3 -> 20
    // raw step (3.1 - 1.45) / 5 = 0.33 -> first of 0.1, 0.2, 0.5 that is >= 0.33 is 0.5; start at ceil(1.45 / 0.5) * 0.5
    expect(niceTicks(1.45, 3.1)).toEqual([1.5, 2, 2.5, 3]);
  });
});

describe("report.md", () => {
  it("matches the hand-checked expected report for the fixture", () => {
    // Row checks (fixture -> cell): prompt 18.5432 -> 18.54, f1 3.25 -> 3.3; RAG trainSeconds 1.25 -> 1.3 s,
    // 73400320 B = 70 MiB; LoRA 6400 -> 6.40K, 185 s -> 3m 05s, 1510.4 tok/s -> 1510, ppl 9.876 -> 9.88,
    // F1 30.125 -> 30.1; DAPT 3725 s -> 1h 02m, 1.2 GiB, cloze 71.666 -> 71.7, judge null -> –.
    const expected = fs.readFileSync(path.resolve("test/fixtures/report/expected-report.en.md"), "utf8");
    expect(renderReportMarkdown(input, "en")).toBe(expected);
  });

  it("Korean headers, same numbers", () => {
    const ko = renderReportMarkdown(input, "ko");
    expect(ko).toContain("| 방법 | 학습 파라미터 | 학습 시간 |");
    expect(ko).toContain("| DAPT | 260K | 1h 02m | 290 | 1.20 GiB | 4.20 | 20.0 | 41.5 | 71.7 | – |");
    expect(ko).toContain("스레드 2개");
  });

  it("a | in a method label does not break the table", () => {
    const odd: ReportInput = { ...input, runs: [{ ...input.runs[0]!, label: "a|b" }] };
    const table = reportTableMarkdown(odd, "en").split("\n")[2]!;
    expect(table.startsWith("| a\\|b | 0 |")).toBe(true);
  });
});

describe("report.html", () => {
  const html = renderReportHtml(input, "en");

  it("is self-contained: no network references, scripts, links, fonts or external images", () => {
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=/i);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  });

  it("its table contains every number of the Markdown table", () => {
    const cells = reportTableMarkdown(input, "en")
      .split("\n")
      .slice(2)
      .flatMap((row) => row.split(" | ").map((c) => c.replace(/^\| |\s\|$/g, "").trim()));
    for (const cell of cells) expect(html).toContain(`>${cell}</td>`);
    expect(cells).toContain("71.7");
  });

  it("draws four charts from the fixture's data", () => {
    for (const kind of ["loss", "quality-time", "quality-params", "memory"]) expect(html).toContain(`data-chart="${kind}"`);
    // two runs have loss curves (LoRA r=2 with 4 points, DAPT with 4)
    const polylines = [...html.matchAll(/<polyline class="series"[^>]*points="([^"]+)"/g)].map((m) => m[1]!.split(" ").length);
    expect(polylines).toEqual([4, 4]);
    // quality = cloze accuracy, present for all 4 runs, in two scatter charts
    expect(html.match(/<circle class="point"/g)).toHaveLength(8);
    // every run has a peak memory
    expect(html.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(html).toContain("cloze accuracy (%) against training time");
  });

  it("puts a 0-parameter run on the axis origin and the largest run at the right edge of a log axis", () => {
    // plot x from 64 to 64 + 426 = 490; 260160 params -> log10(260161) = 5.415 -> top decade 6
    // x = 64 + 426 * 5.415 / 6 = 448.5
    const chart = html.slice(html.indexOf('data-chart="quality-params"'));
    const circles = [...chart.matchAll(/<circle class="point" cx="([\d.]+)" cy="([\d.]+)"/g)].slice(0, 4).map((m) => Number(m[1]));
    expect(circles[0]).toBe(64);
    expect(circles[3]).toBeCloseTo(64 + (426 * Math.log10(260161)) / 6, 1);
  });

  it("escapes text from the results file", () => {
    const odd: ReportInput = { ...input, runs: [{ ...input.runs[0]!, label: "<b>x</b>", notes: "a & b" }] };
    const out = renderReportHtml(odd, "ko");
    expect(out).not.toContain("<b>x</b>");
    expect(out).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(out).toContain('<html lang="ko">');
  });

  it("charts say 'no data' when nothing was measured, instead of failing", () => {
    const bare: ReportInput = {
      ...input,
      runs: [{ ...input.runs[0]!, peakMemoryBytes: null, exactMatch: null, f1: null, clozeAccuracy: null, judgeScore: null, lossCurve: [] }],
    };
    expect(renderReportHtml(bare, "en").match(/no data/g)).toHaveLength(4);
  });
});

describe("input validation and writing", () => {
  it.each([
    [{ environment: input.environment, runs: [] }, /runs/],
    [{ environment: input.environment, runs: [{ ...input.runs[0]!, trainableParams: -1 }] }, /runs\.0\.trainableParams/],
    [{ environment: input.environment, runs: [input.runs[0], input.runs[0]] }, /"prompt" appears twice/],
    [{ runs: input.runs }, /environment/],
  ])("rejects bad input with a ReportInputError naming the field", (value, pattern) => {
    expect(() => parseReportInput(value)).toThrow(ReportInputError);
    expect(() => parseReportInput(value)).toThrow(pattern);
  });

  it("writes report.md and report.html and nothing else", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-report-"));
    const written = writeReport(JSON.parse(fs.readFileSync(FIXTURE, "utf8")), dir, "en");
    expect(fs.readdirSync(dir).sort()).toEqual(["report.html", "report.md"]);
    expect(fs.readFileSync(written.markdown, "utf8")).toBe(renderReportMarkdown(input, "en"));
  });
});
