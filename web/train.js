// Train page: a form generated from the method's option schema and the training config schema, then live runs with
// their curves (metrics.jsonl from disk plus step events as they come), stop, resume.
import { html } from "htm/preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { LossChart } from "./chart.js";
import { api, errorText, Field, fieldValues, PathInput, t, useServerEvents } from "./lib.js";

// Training fields shown outside "More options": the ones a first run changes.
const PRIMARY = ["steps", "epochs", "lr", "ctx", "batch"];

export function TrainPage({ model, setModel }) {
  const [schema, setSchema] = useState(null);
  const [datasets, setDatasets] = useState([]);
  const [method, setMethod] = useState("lora");
  const [dataset, setDataset] = useState("");
  const [name, setName] = useState(`run-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}`);
  const [methodRaw, setMethodRaw] = useState({});
  const [trainRaw, setTrainRaw] = useState({});
  const [runs, setRuns] = useState([]);
  const [error, setError] = useState(null);

  const refresh = useCallback(() => api("GET", "/api/runs").then(setRuns), []);
  useEffect(() => {
    api("GET", "/api/methods").then(setSchema);
    api("GET", "/api/datasets").then((d) => {
      setDatasets(d);
      if (d.length > 0) setDataset((cur) => cur || d[d.length - 1].dir);
    });
    refresh();
  }, []);

  // Step events arrive many times a second; they are applied in batches, a few renders a second, so the page stays
  // cheap while the machine trains.
  const pending = useRef([]);
  useEffect(() => {
    const timer = setInterval(() => {
      if (pending.current.length === 0) return;
      const events = pending.current;
      pending.current = [];
      setRuns((list) => list.map((r) => applyEvents(r, events.filter((e) => e.run === r.dir))));
    }, 250);
    return () => clearInterval(timer);
  }, []);
  useServerEvents(
    useCallback((e) => {
      if (e.kind === "job") return void refresh();
      if (e.kind === "train") pending.current.push(e);
    }, []),
  );

  if (!schema) return html`<p class="muted">…</p>`;
  const methodDef = schema.methods.find((m) => m.name === method);
  const start = async () => {
    setError(null);
    try {
      const config = { method, model, data: dataset ? [dataset] : [], methodOptions: fieldValues(methodDef.fields, methodRaw), ...fieldValues(schema.train, trainRaw) };
      await api("POST", "/api/train", { name, config });
      setName(`run-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "")}`);
      await refresh();
    } catch (e) {
      setError(errorText(e.body ?? e));
    }
  };
  const trainField = (f) => html`<${Field} field=${f} value=${trainRaw[f.name]} onChange=${(v) => setTrainRaw({ ...trainRaw, [f.name]: v })} />`;

  return html`<div>
    <section class="card" id="train-form">
      <h2>${t("navTrain")}</h2>
      <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
      <label class="field"><span>${t("dataset")}</span>
        ${datasets.length === 0
          ? html`<span class="muted">${t("noDatasets")}</span>`
          : html`<select name="dataset" value=${dataset} onChange=${(e) => setDataset(e.currentTarget.value)}>${datasets.map((d) => html`<option value=${d.dir}>${d.name}</option>`)}</select>`}
      </label>
      <label class="field"><span>${t("method")}</span>
        <select name="method" value=${method} onChange=${(e) => { setMethod(e.currentTarget.value); setMethodRaw({}); }}>
          ${schema.methods.map((m) => html`<option value=${m.name}>${m.name}</option>`)}
        </select><small>${methodDef.summary[document.documentElement.lang] ?? methodDef.summary.en}</small>
      </label>
      <label class="field"><span>${t("runName")}</span><input type="text" name="run-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <h2>${t("methodOptions")}</h2>
      ${methodDef.fields.map((f) => html`<${Field} field=${f} value=${methodRaw[f.name]} onChange=${(v) => setMethodRaw({ ...methodRaw, [f.name]: v })} />`)}
      <h2>${t("trainOptions")}</h2>
      ${schema.train.filter((f) => PRIMARY.includes(f.name)).map(trainField)}
      <details><summary>${t("advanced")}</summary>${schema.train.filter((f) => !PRIMARY.includes(f.name)).map(trainField)}</details>
      ${error && html`<div class="error" id="train-error">${error}</div>`}
      <button class="primary" id="start" onClick=${start} disabled=${!model || !dataset}>${t("start")}</button>
    </section>
    <section class="card">
      <h2>${t("runs")}</h2>
      ${runs.length === 0 ? html`<p class="muted">${t("noRuns")}</p>` : html`<div class="runs">${[...runs].reverse().map((r) => html`<${RunCard} key=${r.dir} run=${r} onChange=${refresh} />`)}</div>`}
    </section>
  </div>`;
}

/** A run with live training events applied: the start totals, the latest step, and new points for the curve. */
function applyEvents(run, events) {
  if (events.length === 0) return run;
  const next = { ...run, metrics: [...run.metrics] };
  for (const { event } of events) {
    if (event.type === "start") next.start = event;
    else if (event.type === "step") {
      next.last = event;
      next.metrics.push({ step: event.step, loss: event.loss, lr: event.lr });
    } else if (event.type === "eval") next.metrics.push({ step: event.step, valLoss: event.valLoss });
    else if (event.type === "done") next.done = event;
  }
  return next;
}

function RunCard({ run, onChange }) {
  const [error, setError] = useState(null);
  const act = (path) => api("POST", path, { run: run.dir }).then(onChange, (e) => setError(errorText(e.body ?? e)));
  const last = run.last ?? [...run.metrics].reverse().find((m) => m.loss !== undefined);
  const val = [...run.metrics].reverse().find((m) => m.valLoss !== undefined);
  const fmt = (v, digits = 4) => (v === undefined || v === null ? "–" : Number(v).toFixed(digits));
  const eta = run.last && run.status === "running" ? `${Math.round(run.last.etaSeconds)} s` : "–";
  const mib = (b) => (b ? `${(b / 2 ** 20).toFixed(0)} MiB` : "–");
  return html`<div class="run" data-run=${run.name} data-status=${run.status}>
    <header>
      <b>${run.name}</b><span class="badge ${run.status}">${t(`status_${run.status}`)}</span><span class="muted">${run.method}</span>
      <span class="spacer"></span>
      ${run.status === "running" && html`<button class="secondary" data-action="stop" onClick=${() => act("/api/train/stop")}>${t("stop")}</button>`}
      ${(run.status === "stopped" || run.status === "failed") && run.checkpoints.length > 0 && html`<button class="secondary" data-action="resume" onClick=${() => act("/api/train/resume")}>${t("resume")}</button>`}
    </header>
    <div class="stats">
      <span>${t("step")} <b class="stat-step">${last?.step ?? 0}${run.start ? ` / ${run.start.totalSteps}` : ""}</b></span>
      <span>${t("loss")} <b class="stat-loss">${fmt(last?.loss)}</b></span>
      <span>${t("valLoss")} <b>${fmt(val?.valLoss)}</b></span>
      <span>${t("lr")} <b>${last?.lr !== undefined ? Number(last.lr).toExponential(2) : "–"}</b></span>
      <span>${t("tokensPerSecond")} <b>${fmt(last?.tokensPerSecond, 0)}</b></span>
      <span>${t("eta")} <b>${eta}</b></span>
      <span>${t("memory")} <b>${mib(run.start?.memoryPlan?.totalBytes)}</b></span>
      ${run.done && html`<span>${t("peakMemory")} <b>${mib(run.done.peakRssBytes)}</b></span>`}
      ${run.start && html`<span>${t("trainable")} <b>${run.start.trainableParams.toLocaleString()}</b></span>`}
    </div>
    ${run.output && html`<div class="muted">${t("output")}: <code>${run.output}</code></div>`}
    ${(run.error || error) && html`<div class="error">${run.error ? errorText(run.error) : error}</div>`}
    <${LossChart} metrics=${run.metrics} />
  </div>`;
}
