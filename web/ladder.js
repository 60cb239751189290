// Ladder page: every rung (prompt, few-shot, RAG, each training method) on the same data and suite under one budget,
// rung by rung progress as it runs, then the same report.html as `localtune ladder`.
import { html } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, errorText, Field, fieldValues, getLang, PathInput, t, useServerEvents } from "./lib.js";

export function LadderPage({ model, setModel }) {
  const [form, setForm] = useState(null);
  const [datasets, setDatasets] = useState([]);
  const [dataset, setDataset] = useState("");
  const [suite, setSuite] = useState("");
  const [heldOut, setHeldOut] = useState("");
  const [chosen, setChosen] = useState(["prompt", "lora-r2"]);
  const [raw, setRaw] = useState({});
  const [name, setName] = useState("my-ladder");
  const [ladders, setLadders] = useState([]);
  const [live, setLive] = useState({});
  const [error, setError] = useState(null);
  const refresh = useCallback(() => api("GET", "/api/ladders").then(setLadders), []);
  useEffect(() => {
    api("GET", "/api/ladder/form").then(setForm);
    api("GET", "/api/datasets").then((d) => {
      setDatasets(d);
      if (d.length > 0) setDataset((cur) => cur || d[d.length - 1].dir);
    });
    // The demo's suite and held-out text (Maple Hill) until the user picks their own.
    api("GET", "/api/workspace").then((w) => {
      setSuite((cur) => cur || w.demo.suite);
      setHeldOut((cur) => cur || w.demo.heldOut || "");
    });
    refresh();
  }, []);
  useServerEvents(
    useCallback((e) => {
      if (e.kind === "ladder-job") return void refresh();
      if (e.kind !== "ladder") return;
      const ev = e.event;
      // The latest rung and its progress line, per ladder.
      setLive((cur) => {
        const entry = { ...(cur[e.out] ?? {}) };
        if (ev.type === "rung") Object.assign(entry, { rung: ev, line: "" });
        else if (ev.type === "step") entry.line = `${t("step")} ${ev.step}${ev.totalSteps ? `/${ev.totalSteps}` : ""} · ${t("loss")} ${ev.loss.toFixed(4)}`;
        else if (ev.type === "eval") entry.line = `eval ${ev.done}/${ev.total}`;
        return { ...cur, [e.out]: entry };
      });
    }, []),
  );
  if (!form) return html`<p class="muted">…</p>`;
  const start = async () => {
    setError(null);
    try {
      const options = { model, data: [dataset], suite, ...(heldOut ? { heldOut } : {}), methods: chosen, ...fieldValues(form.fields, raw) };
      await api("POST", "/api/ladder", { name, options, lang: getLang() });
      await refresh();
    } catch (e) {
      setError(errorText(e.body ?? e));
    }
  };
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);
  return html`<div>
    <section class="card" id="ladder-form">
      <h2>${t("navLadder")}</h2>
      <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
      <label class="field"><span>${t("dataset")}</span>
        ${datasets.length === 0 ? html`<span class="muted">${t("noDatasets")}</span>` : html`<select name="dataset" value=${dataset} onChange=${(e) => setDataset(e.currentTarget.value)}>${datasets.map((d) => html`<option value=${d.dir}>${d.name}</option>`)}</select>`}</label>
      <label class="field"><span>${t("suite")}</span><${PathInput} name="suite" value=${suite} onChange=${setSuite} /></label>
      <label class="field"><span>${t("heldOut")}</span><${PathInput} name="held-out" value=${heldOut} onChange=${setHeldOut} /></label>
      <label class="field"><span>${t("rungs")}</span><div class="row">${form.rungs.map((r) => html`<label><input type="checkbox" data-rung=${r.id} checked=${chosen.includes(r.id)} onChange=${() => toggle(r.id)} /> ${r.label}</label>`)}</div></label>
      ${form.fields.filter((f) => f.name === "budget").map((f) => html`<${Field} field=${f} value=${raw[f.name]} onChange=${(v) => setRaw({ ...raw, [f.name]: v })} />`)}
      <details><summary>${t("advanced")}</summary>${form.fields.filter((f) => f.name !== "budget").map((f) => html`<${Field} field=${f} value=${raw[f.name]} onChange=${(v) => setRaw({ ...raw, [f.name]: v })} />`)}</details>
      <label class="field"><span>${t("ladderName")}</span><input type="text" name="ladder-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      ${error && html`<div class="error">${error}</div>`}
      <button class="primary" id="start-ladder" disabled=${!model || !dataset || !suite || chosen.length === 0} onClick=${start}>${t("startLadder")}</button>
    </section>
    <section class="card">
      <h2>${t("ladders")}</h2>
      ${ladders.length === 0 ? html`<p class="muted">${t("noLadders")}</p>` : [...ladders].reverse().map((l) => {
        const now = live[l.dir] ?? {};
        const rung = now.rung ?? l.rung;
        return html`<div class="run" data-ladder=${l.name} data-status=${l.status}>
          <header><b>${l.name}</b><span class="badge ${l.status}">${t(`status_${l.status}`)}</span><span class="spacer"></span>
            ${l.status === "running" && html`<button class="secondary" onClick=${() => api("POST", "/api/ladder/stop", { dir: l.dir }).then(refresh)}>${t("stop")}</button>`}
            ${l.report && html`<a class="secondary" target="_blank" rel="noopener" href=${`/api/ladder/report?dir=${encodeURIComponent(l.dir)}`}>${t("openReport")}</a>`}</header>
          ${l.status === "running" && rung && html`<div class="stats"><span>${t("rungProgress", { index: rung.index + 1, total: rung.total, label: rung.rung.label })}</span><span>${now.line ?? ""}</span></div>`}
          ${l.error && html`<div class="error">${errorText(l.error)}</div>`}
        </div>`;
      })}
    </section>
  </div>`;
}
