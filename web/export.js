// Export page: a finished run's adapter files (GGUF LoRA and PEFT, written by training), a merge of its LoRA into one
// standalone GGUF model, and a quantized export for Ollama (with its Modelfile) or LM Studio, under exports/.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorText, t } from "./lib.js";

const MERGE_TYPES = ["", "f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k"];
const RUNTIME_QUANTS = ["q4_k_m", "q5_k_m", "q8_0", "f16"];

/** Quantized export of a run for Ollama or LM Studio. */
function RuntimeExport({ run }) {
  const [target, setTarget] = useState("ollama");
  const [quant, setQuant] = useState("q4_k_m");
  const [name, setName] = useState(`${run.name}-${target}`);
  const [create, setCreate] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const go = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api("POST", "/api/export/runtime", { run: run.dir, target, quant, name, create }));
    } catch (e) {
      setError(errorText(e.body ?? e));
    } finally {
      setBusy(false);
    }
  };
  return html`<div id="runtime-export">
    <h2>${t("runtimeTitle")}</h2>
    <label class="field"><span>${t("runtimeTarget")}</span><select name="target" value=${target} onChange=${(e) => { setTarget(e.currentTarget.value); setName(`${run.name}-${e.currentTarget.value}`); }}>
      <option value="ollama">Ollama</option><option value="lmstudio">LM Studio</option></select></label>
    <label class="field"><span>${t("mergeType")}</span><select name="quant" value=${quant} onChange=${(e) => setQuant(e.currentTarget.value)}>${RUNTIME_QUANTS.map((q) => html`<option value=${q}>${q}</option>`)}</select></label>
    <label class="field"><span>${t("exportName")}</span><input type="text" name="runtime-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
    ${target === "ollama" && html`<label class="field"><span>${t("ollamaCreate")}</span><input type="checkbox" checked=${create} onChange=${(e) => setCreate(e.currentTarget.checked)} /></label>`}
    <div class="row"><button class="primary" id="runtime-export-go" disabled=${busy || !name} onClick=${go}>${t("exportRuntime")}</button>${busy && html`<span class="muted">${t("running")}</span>`}</div>
    ${error && html`<div class="error">${error}</div>`}
    ${result && html`<div id="runtime-result"><p>${t("runtimeWritten", { file: result.modelFile })}</p><pre class="report">${result.command.join(" ")}</pre>${result.created && html`<pre class="report">${result.created.output}</pre>`}</div>`}
  </div>`;
}

export function ExportPage() {
  const [runs, setRuns] = useState([]);
  const [run, setRun] = useState("");
  const [name, setName] = useState("");
  const [type, setType] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api("GET", "/api/runs").then((list) => {
      const done = list.filter((r) => r.status === "completed" && r.output);
      setRuns(done);
      if (done.length > 0) {
        setRun(done[done.length - 1].dir);
        setName(`${done[done.length - 1].name}-merged`);
      }
    });
  }, []);
  const chosen = runs.find((r) => r.dir === run);
  const merge = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api("POST", "/api/export/merge", { run, name, ...(type ? { type } : {}) }));
    } catch (e) {
      setError(errorText(e.body ?? e));
    } finally {
      setBusy(false);
    }
  };
  if (runs.length === 0) return html`<section class="card"><h2>${t("navExport")}</h2><p class="muted">${t("noCompleted")}</p></section>`;
  return html`<section class="card" id="export">
    <h2>${t("navExport")}</h2>
    <label class="field"><span>${t("run")}</span>
      <select name="run" value=${run} onChange=${(e) => { setRun(e.currentTarget.value); setName(`${runs.find((r) => r.dir === e.currentTarget.value).name}-merged`); }}>
        ${runs.map((r) => html`<option value=${r.dir}>${r.name} (${r.method})</option>`)}
      </select></label>
    ${chosen && html`<p class="muted">${t("adapterFiles")}</p><pre class="report">${chosen.output}</pre>`}
    ${chosen?.method === "lora" && html`<h2>${t("mergeTitle")}</h2>
      <label class="field"><span>${t("exportName")}</span><input type="text" name="export-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <label class="field"><span>${t("mergeType")}</span><select value=${type} onChange=${(e) => setType(e.currentTarget.value)}>${MERGE_TYPES.map((x) => html`<option value=${x}>${x || t("keepTypes")}</option>`)}</select></label>
      <div class="row"><button class="primary" id="merge" disabled=${busy || !name} onClick=${merge}>${t("merge")}</button>${busy && html`<span class="muted">${t("running")}</span>`}</div>`}
    ${error && html`<div class="error">${error}</div>`}
    ${result && html`<p id="merge-result">${t("merged", { out: result.out, merged: result.merged, copied: result.copied })}</p>`}
    ${chosen && chosen.method !== "prompt-tuning" && chosen.method !== "prefix-tuning" && html`<${RuntimeExport} key=${chosen.dir} run=${chosen} />`}
  </section>`;
}
