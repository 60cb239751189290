// report.html: one self-contained page (inline CSS and SVG, no scripts, fonts or links) with the results table
// and four charts: loss curves, quality against training time, quality against trainable parameters, memory.
import { msg, type Lang } from "../i18n/index.js";
import { COLUMNS, environmentRows, formatBytes, formatCount, pickQualityMetric, QUALITY_LABEL, TEXT } from "./format.js";
import type { ReportInput } from "./schema.js";
import { barChart, escapeXml, lineChart, PALETTE, scatterChart } from "./svg.js";

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI","Apple SD Gothic Neo","Malgun Gothic","Noto Sans KR",sans-serif;margin:2rem auto;max-width:1320px;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.35rem .6rem}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts svg{border:1px solid #ddd;max-width:100%;height:auto}
.note{color:#555;font-size:.9rem}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dt{font-weight:600}
`;

/** Log-axis tick labels are powers of ten: "10K", not "10.0K". */
const powerOfTen = (v: number) => formatCount(v).replace(/\.0+(?=[KMB])/, "");

export function renderReportHtml(input: ReportInput, lang: Lang): string {
  const runs = input.runs;
  const color = (i: number) => PALETTE[i % PALETTE.length]!;
  const name = (i: number) => runs[i]!.label ?? runs[i]!.method;
  const quality = pickQualityMetric(runs);
  const qualityLabel = quality ? QUALITY_LABEL[quality][lang] : "";

  const lossChart = lineChart({
    kind: "loss",
    title: TEXT.lossCurves[lang],
    xLabel: TEXT.step[lang],
    yLabel: TEXT.loss[lang],
    series: runs.map((r, i) => ({ name: name(i), color: color(i), points: r.lossCurve.map((p) => [p.step, p.loss] as const) })),
    emptyText: TEXT.noData[lang],
  });
  const qualityPoints = (x: (i: number) => number) =>
    quality === null ? [] : runs.flatMap((r, i) => (r[quality] === null ? [] : [{ name: name(i), color: color(i), x: x(i), y: r[quality]! }]));
  const timeChart = scatterChart({
    kind: "quality-time",
    title: msg(TEXT.qualityVsTime, { metric: qualityLabel }, lang),
    xLabel: TEXT.seconds[lang],
    yLabel: qualityLabel,
    points: qualityPoints((i) => runs[i]!.trainSeconds),
    xFormat: powerOfTen,
    emptyText: TEXT.noData[lang],
  });
  const paramsChart = scatterChart({
    kind: "quality-params",
    title: msg(TEXT.qualityVsParams, { metric: qualityLabel }, lang),
    xLabel: TEXT.params[lang],
    yLabel: qualityLabel,
    points: qualityPoints((i) => runs[i]!.trainableParams),
    xFormat: powerOfTen,
    emptyText: TEXT.noData[lang],
  });
  const memoryChart = barChart({
    kind: "memory",
    title: TEXT.memory[lang],
    bars: runs.flatMap((r, i) => (r.peakMemoryBytes === null ? [] : [{ name: name(i), color: color(i), value: r.peakMemoryBytes, label: formatBytes(r.peakMemoryBytes) }])),
    emptyText: TEXT.noData[lang],
  });

  const head = `<tr>${COLUMNS.map((c) => `<th>${escapeXml(c.label[lang])}</th>`).join("")}</tr>`;
  const body = runs
    .map((r) => `<tr>${COLUMNS.map((c, i) => (i === 0 ? `<td>${escapeXml(c.value(r))}</td>` : `<td class="num">${escapeXml(c.value(r))}</td>`)).join("")}</tr>`)
    .join("\n");
  const notes = runs.filter((r) => r.notes).map((r) => `<li><strong>${escapeXml(r.label ?? r.method)}</strong>: ${escapeXml(r.notes!)}</li>`);
  const env = environmentRows(input.environment, lang).map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join("");
  const title = escapeXml(input.title ?? TEXT.title[lang]);

  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${title}</h1>
<h2>${escapeXml(TEXT.results[lang])}</h2>
<table>
<thead>${head}</thead>
<tbody>
${body}
</tbody>
</table>
<p class="note">${escapeXml(TEXT.legendNote[lang])}</p>
${notes.length > 0 ? `<h2>${escapeXml(TEXT.notes[lang])}</h2>\n<ul>${notes.join("")}</ul>` : ""}
<h2>${escapeXml(TEXT.charts[lang])}</h2>
<div class="charts">
${lossChart}
${timeChart}
${paramsChart}
${memoryChart}
</div>
<h2>${escapeXml(TEXT.environment[lang])}</h2>
<dl>${env}</dl>
</body>
</html>
`;
}
