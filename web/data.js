// Data page: pick documents (files or folders) on this machine, prepare a dataset with the base model's tokenizer,
// then its statistics and the "is it enough" guidance, in the CLI's own words.
import { html } from "htm/preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, errorText, Field, fieldValues, getLang, PathInput, t, useServerEvents } from "./lib.js";

export function DataPage({ model, setModel }) {
  const [inputs, setInputs] = useState([]);
  const [next, setNext] = useState("");
  const [name, setName] = useState("my-data");
  const [fields, setFields] = useState([]);
  const [raw, setRaw] = useState({});
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState(null);
  const [result, setResult] = useState(null);
  const [datasets, setDatasets] = useState([]);
  const [error, setError] = useState(null);
  const refresh = () => api("GET", "/api/datasets").then(setDatasets);
  useEffect(() => {
    api("GET", "/api/data/fields").then(setFields);
    refresh();
  }, []);
  useServerEvents(useCallback((e) => e.kind === "prepare" && setProgress(e), []));

  const add = (p) => {
    if (p && !inputs.includes(p)) setInputs([...inputs, p]);
    setNext("");
  };
  const prepare = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const options = { ...fieldValues(fields, raw), inputs, ...(model ? { model } : {}) };
      setResult(await api("POST", "/api/data/prepare", { name, options }));
      await refresh();
    } catch (e) {
      setError(errorText(e.body ?? e));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  const lang = getLang();
  return html`<div>
    <section class="card" id="data-form">
      <h2>${t("navData")}</h2>
      <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
      <label class="field"><span>${t("inputs")}</span>
        <div>
          ${inputs.map((p) => html`<div class="row input-path"><code style="flex:1">${p}</code><button type="button" class="secondary" onClick=${() => setInputs(inputs.filter((x) => x !== p))}>${t("remove")}</button></div>`)}
          <div class="row"><${PathInput} name="input" value=${next} onChange=${setNext} /><button type="button" class="secondary" id="add-input" onClick=${() => add(next)}>${t("add")}</button></div>
        </div>
      </label>
      <label class="field"><span>${t("datasetName")}</span><input type="text" name="dataset-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <details><summary>${t("advanced")}</summary>${fields.map((f) => html`<${Field} field=${f} value=${raw[f.name]} onChange=${(v) => setRaw({ ...raw, [f.name]: v })} />`)}</details>
      ${error && html`<div class="error" id="data-error">${error}</div>`}
      <div class="row">
        <button class="primary" id="prepare" disabled=${busy || inputs.length === 0} onClick=${prepare}>${t("prepare")}</button>
        ${busy && html`<span class="muted">${progress ? t("preparing", progress) : t("running")}</span>`}
      </div>
      ${result && html`<pre class="report" id="data-result">${result.text[lang]}</pre>`}
    </section>
    <section class="card">
      <h2>${t("datasets")}</h2>
      ${datasets.length === 0 ? html`<p class="muted">${t("noDatasets")}</p>` : datasets.map((d) => html`<details data-dataset=${d.name}><summary>${d.name}</summary><pre class="report">${d.text[lang]}</pre></details>`)}
    </section>
  </div>`;
}
