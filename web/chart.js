// A live loss chart (uPlot): training loss every step, validation loss where it was measured.
import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { t } from "./lib.js";

/** metrics: metrics.jsonl records (plus live step/eval events in the same shape). */
export function LossChart({ metrics }) {
  const box = useRef(null);
  const plot = useRef(null);
  const steps = [];
  const loss = [];
  const val = [];
  const byStep = new Map();
  for (const r of metrics) {
    if (r.loss === undefined && r.valLoss === undefined) continue;
    const row = byStep.get(r.step) ?? { loss: null, val: null };
    if (r.loss !== undefined) row.loss = r.loss;
    if (r.valLoss !== undefined) row.val = r.valLoss;
    byStep.set(r.step, row);
  }
  for (const [step, row] of [...byStep.entries()].sort((a, b) => a[0] - b[0])) {
    steps.push(step);
    loss.push(row.loss);
    val.push(row.val);
  }
  const data = [steps, loss, val];
  useEffect(() => {
    if (!plot.current) {
      plot.current = new uPlot(
        {
          width: Math.max(300, box.current.clientWidth),
          height: 220,
          scales: { x: { time: false } },
          axes: [{ label: t("step") }, {}],
          series: [{ label: t("step") }, { label: t("loss"), stroke: "#2f6fde", width: 2 }, { label: t("valLoss"), stroke: "#e67e22", width: 2, spanGaps: true, points: { show: true, size: 6 } }],
        },
        data,
        box.current,
      );
    } else {
      plot.current.setData(data);
    }
  });
  useEffect(() => () => plot.current?.destroy(), []);
  return html`<div class="chart" ref=${box} data-points=${loss.filter((v) => v !== null).length}></div>`;
}
