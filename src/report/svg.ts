// Inline SVG charts (line, scatter, horizontal bars) as strings: no scripts, fonts or external references, so the
// report opens offline in any browser. Coordinates are plain numbers; text is escaped.

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const W = 640;
const H = 360;
const M = { left: 64, right: 150, top: 36, bottom: 52 };
const PLOT_W = W - M.left - M.right;
const PLOT_H = H - M.top - M.bottom;
/** Shortest faithful label: 2.5 not 2.50, and no float noise such as 0.30000000000000004. */
const num = (x: number) => String(Number(x.toPrecision(6)));

/** An axis maps data values to pixels and lists its ticks. "log" is log10(1 + x), so 0 (no training) fits. */
interface Axis {
  toPx(value: number): number;
  ticks: Array<{ value: number; label: string }>;
}

/** Round tick steps of 1, 2 or 5 x 10^k, about `count` of them over [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function linearAxis(min: number, max: number, pixels: number, flip: boolean): Axis {
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const ticks = niceTicks(min, max);
  const lo = Math.min(min, ticks[0] ?? min);
  const hi = Math.max(max, ticks[ticks.length - 1] ?? max);
  const toPx = (v: number) => {
    const t = (v - lo) / (hi - lo);
    return flip ? pixels * (1 - t) : pixels * t;
  };
  return { toPx, ticks: ticks.map((value) => ({ value, label: num(value) })) };
}

function logAxis(max: number, pixels: number, format: (v: number) => string): Axis {
  const top = Math.max(1, Math.ceil(Math.log10(1 + max)));
  const toPx = (v: number) => (pixels * Math.log10(1 + Math.max(0, v))) / top;
  // The tick labelled 10^k sits where log10(1 + v) = k, i.e. at v = 10^k - 1.
  const ticks = [{ value: 0, label: "0" }];
  for (let k = 1; k <= top; k++) ticks.push({ value: 10 ** k - 1, label: format(10 ** k) });
  return { toPx, ticks };
}

function frame(kind: string, title: string, body: string, height = H): string {
  return (
    `<svg class="chart" data-chart="${escapeXml(kind)}" role="img" aria-label="${escapeXml(title)}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}">` +
    `<title>${escapeXml(title)}</title>` +
    `<rect x="0" y="0" width="${W}" height="${height}" fill="#ffffff"/>` +
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>` +
    body +
    `</svg>`
  );
}

function axes(x: Axis, y: Axis, xLabel: string, yLabel: string): string {
  const parts: string[] = [];
  const x0 = M.left;
  const y0 = M.top + PLOT_H;
  for (const t of y.ticks) {
    const py = M.top + y.toPx(t.value);
    parts.push(`<line x1="${x0}" y1="${py.toFixed(1)}" x2="${x0 + PLOT_W}" y2="${py.toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x0 - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeXml(t.label)}</text>`);
  }
  for (const t of x.ticks) {
    const px = x0 + x.toPx(t.value);
    parts.push(`<line x1="${px.toFixed(1)}" y1="${y0}" x2="${px.toFixed(1)}" y2="${y0 + 5}" stroke="#333"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${y0 + 18}" text-anchor="middle" font-size="11">${escapeXml(t.label)}</text>`);
  }
  parts.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + PLOT_W}" y2="${y0}" stroke="#333"/>`);
  parts.push(`<line x1="${x0}" y1="${M.top}" x2="${x0}" y2="${y0}" stroke="#333"/>`);
  parts.push(`<text x="${x0 + PLOT_W / 2}" y="${H - 10}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`);
  return parts.join("");
}

function legend(entries: Array<{ name: string; color: string }>): string {
  return entries
    .map((e, i) => {
      const y = M.top + 8 + i * 18;
      const x = M.left + PLOT_W + 14;
      return `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${e.color}"/><text x="${x + 18}" y="${y + 1}" font-size="12">${escapeXml(e.name)}</text>`;
    })
    .join("");
}

function empty(kind: string, title: string, message: string): string {
  return frame(kind, title, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-size="13" fill="#777">${escapeXml(message)}</text>`);
}

export interface LineSeries {
  name: string;
  color: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** Polylines on linear axes (loss curves). */
export function lineChart(o: { kind: string; title: string; xLabel: string; yLabel: string; series: readonly LineSeries[]; emptyText: string }): string {
  const drawn = o.series.filter((s) => s.points.length > 0);
  if (drawn.length === 0) return empty(o.kind, o.title, o.emptyText);
  const xs = drawn.flatMap((s) => s.points.map((p) => p[0]));
  const ys = drawn.flatMap((s) => s.points.map((p) => p[1]));
  const x = linearAxis(Math.min(...xs), Math.max(...xs), PLOT_W, false);
  const y = linearAxis(Math.min(...ys), Math.max(...ys), PLOT_H, true);
  const lines = drawn
    .map((s) => {
      const pts = s.points.map(([px, py]) => `${(M.left + x.toPx(px)).toFixed(1)},${(M.top + y.toPx(py)).toFixed(1)}`).join(" ");
      return `<polyline class="series" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"><title>${escapeXml(s.name)}</title></polyline>`;
    })
    .join("");
  return frame(o.kind, o.title, axes(x, y, o.xLabel, o.yLabel) + lines + legend(drawn));
}

export interface ScatterPoint {
  name: string;
  color: string;
  x: number;
  y: number;
}

/** Labelled points; x on a log10(1 + x) axis, y linear. */
export function scatterChart(o: {
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: readonly ScatterPoint[];
  xFormat: (v: number) => string;
  emptyText: string;
}): string {
  if (o.points.length === 0) return empty(o.kind, o.title, o.emptyText);
  const x = logAxis(Math.max(...o.points.map((p) => p.x)), PLOT_W, o.xFormat);
  const ys = o.points.map((p) => p.y);
  // 10% headroom so the top point's label stays clear of the title.
  const y = linearAxis(Math.min(0, ...ys), Math.max(...ys) * 1.1, PLOT_H, true);
  const dots = o.points
    .map((p) => {
      const cx = (M.left + x.toPx(p.x)).toFixed(1);
      const cy = (M.top + y.toPx(p.y)).toFixed(1);
      return (
        `<circle class="point" cx="${cx}" cy="${cy}" r="5" fill="${p.color}"><title>${escapeXml(`${p.name}: ${num(p.y)}`)}</title></circle>` +
        `<text x="${(Number(cx) + 7).toFixed(1)}" y="${(Number(cy) - 7).toFixed(1)}" font-size="11">${escapeXml(p.name)}</text>`
      );
    })
    .join("");
  return frame(o.kind, o.title, axes(x, y, o.xLabel, o.yLabel) + dots);
}

export interface Bar {
  name: string;
  color: string;
  value: number;
  label: string;
}

/** Horizontal bars from zero (peak memory per method). */
export function barChart(o: { kind: string; title: string; bars: readonly Bar[]; emptyText: string }): string {
  if (o.bars.length === 0) return empty(o.kind, o.title, o.emptyText);
  const max = Math.max(...o.bars.map((b) => b.value), 1);
  const left = 130;
  const width = W - left - 110;
  const rowH = 28;
  const height = Math.max(120, M.top + 20 + rowH * o.bars.length);
  const rows = o.bars
    .map((b, i) => {
      const y = M.top + 10 + i * rowH;
      const w = (width * b.value) / max;
      return (
        `<text x="${left - 8}" y="${(y + rowH / 2 + 4).toFixed(1)}" text-anchor="end" font-size="12">${escapeXml(b.name)}</text>` +
        `<rect class="bar" x="${left}" y="${(y + 3).toFixed(1)}" width="${w.toFixed(1)}" height="${(rowH - 6).toFixed(1)}" fill="${b.color}"><title>${escapeXml(`${b.name}: ${b.label}`)}</title></rect>` +
        `<text x="${(left + w + 6).toFixed(1)}" y="${(y + rowH / 2 + 4).toFixed(1)}" font-size="11">${escapeXml(b.label)}</text>`
      );
    })
    .join("");
  return frame(o.kind, o.title, rows, height);
}
