// Machine page: the doctor's report (devices, memory, calibrated speed) and its ranked plan, as the CLI prints it.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorText, getLang, PathInput, t } from "./lib.js";

export function MachinePage({ model, setModel }) {
  const [datasets, setDatasets] = useState([]);
  const [data, setData] = useState("");
  const [calibrate, setCalibrate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => void api("GET", "/api/datasets").then(setDatasets), []);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api("POST", "/api/doctor", { ...(model ? { model } : {}), ...(data ? { data } : {}), calibration: calibrate ? "auto" : "skip" }));
    } catch (e) {
      setError(errorText(e.body ?? e));
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="card" id="machine">
    <h2>${t("navMachine")}</h2>
    <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
    <label class="field"><span>${t("doctorData")}</span>
      <select value=${data} onChange=${(e) => setData(e.currentTarget.value)}><option value="">${t("none")}</option>${datasets.map((d) => html`<option value=${d.dir}>${d.name}</option>`)}</select></label>
    <label class="field"><span>${t("calibrate")}</span><input type="checkbox" checked=${calibrate} onChange=${(e) => setCalibrate(e.currentTarget.checked)} /></label>
    ${error && html`<div class="error">${error}</div>`}
    <div class="row"><button class="primary" id="doctor" disabled=${busy} onClick=${run}>${t("doctor")}</button>${busy && html`<span class="muted">${t("running")}</span>`}</div>
    ${result && html`<pre class="report" id="doctor-report">${result.text[getLang()]}</pre>`}
  </section>`;
}
