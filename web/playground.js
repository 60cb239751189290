// Playground: one prompt (raw, or a built-in template with few-shot examples), answered side by side by the base model
// and by each chosen adapter, streaming.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, apiStream, errorText, getLang, PathInput, t } from "./lib.js";

export function PlaygroundPage({ model, setModel }) {
  const [runs, setRuns] = useState([]);
  const [chosen, setChosen] = useState(["base"]);
  const [prompt, setPrompt] = useState("");
  const [chat, setChat] = useState(false);
  const [system, setSystem] = useState("");
  const [maxTokens, setMaxTokens] = useState("64");
  const [temperature, setTemperature] = useState("0");
  const [outputs, setOutputs] = useState({});
  const [busy, setBusy] = useState(false);
  const [templates, setTemplates] = useState([]);
  const [template, setTemplate] = useState("raw");
  const [vars, setVars] = useState({});
  const [examples, setExamples] = useState("");
  const [fewShot, setFewShot] = useState("0");
  const [sent, setSent] = useState("");
  useEffect(() => {
    api("GET", "/api/templates").then(setTemplates);
    api("GET", "/api/runs").then((list) => setRuns(list.filter((r) => r.output && r.status === "completed")));
  }, []);
  const columns = [{ id: "base", label: t("baseModel") }, ...runs.map((r) => ({ id: r.dir, label: t("adapterOf", { name: r.name }), adapter: r.output }))];
  const chosenTemplate = templates.find((x) => x.name === template);
  const ready = chosenTemplate ? chosenTemplate.variables.every((v) => (vars[v] ?? "") !== "") : prompt !== "";
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((c) => c !== id) : [...chosen, id]);

  const generate = async () => {
    setBusy(true);
    const fresh = {};
    for (const id of chosen) fresh[id] = { text: "", error: null, done: false };
    setOutputs({ ...fresh });
    // One column at a time: each loads the model with its adapter, and the machine's cores serve one generation best.
    for (const column of columns.filter((c) => chosen.includes(c.id))) {
      const update = (patch) => {
        fresh[column.id] = { ...fresh[column.id], ...patch };
        setOutputs({ ...fresh });
      };
      try {
        await apiStream(
          "/api/generate",
          {
            model,
            ...(column.adapter ? { adapter: column.adapter } : {}),
            prompt,
            template,
            vars: template === "raw" ? {} : vars,
            ...(examples ? { examples } : {}),
            fewShot: Number(fewShot),
            lang: getLang(),
            chat,
            ...(system ? { system } : {}),
            sampling: { maxTokens: Number(maxTokens), temperature: Number(temperature) },
          },
          (event, data) => {
            if (event === "prompt") setSent(data.prompt);
            else if (event === "text") update({ text: fresh[column.id].text + data.text });
            else if (event === "error") update({ error: errorText(data), done: true });
            else if (event === "done") update({ done: true });
          },
        );
      } catch (e) {
        update({ error: errorText(e.body ?? e), done: true });
      }
    }
    setBusy(false);
  };

  return html`<div>
    <section class="card" id="playground">
      <h2>${t("navPlayground")}</h2>
      <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
      <label class="field"><span>${t("columns")}</span>
        <div class="row">${columns.map((c) => html`<label><input type="checkbox" data-column=${c.id === "base" ? "base" : c.label} checked=${chosen.includes(c.id)} onChange=${() => toggle(c.id)} /> ${c.label}</label>`)}</div>
      </label>
      <label class="field"><span>${t("chatTemplate")}</span><input type="checkbox" checked=${chat} onChange=${(e) => setChat(e.currentTarget.checked)} /></label>
      ${chat && html`<label class="field"><span>${t("system")}</span><input type="text" value=${system} onInput=${(e) => setSystem(e.currentTarget.value)} /></label>`}
      <label class="field"><span>${t("maxTokens")}</span><input type="number" min="1" value=${maxTokens} onInput=${(e) => setMaxTokens(e.currentTarget.value)} /></label>
      <label class="field"><span>${t("temperature")}</span><input type="number" min="0" step="0.1" value=${temperature} onInput=${(e) => setTemperature(e.currentTarget.value)} /></label>
      <label class="field"><span>${t("template")}</span>
        <select name="template" value=${template} onChange=${(e) => setTemplate(e.currentTarget.value)}>
          <option value="raw">${t("rawPrompt")}</option>${templates.map((x) => html`<option value=${x.name}>${x.name}</option>`)}
        </select>${chosenTemplate && html`<small><pre class="report">${chosenTemplate.text[getLang()]}</pre></small>`}</label>
      ${chosenTemplate
        ? chosenTemplate.variables.map((v) => html`<label class="field"><span>${v}</span><textarea name=${`var-${v}`} value=${vars[v] ?? ""} onInput=${(e) => setVars({ ...vars, [v]: e.currentTarget.value })}></textarea></label>`)
        : html`<label class="field"><span>${t("prompt")}</span><textarea name="prompt" value=${prompt} onInput=${(e) => setPrompt(e.currentTarget.value)}></textarea></label>`}
      <label class="field"><span>${t("fewShotFile")}</span><${PathInput} name="examples" value=${examples} onChange=${setExamples} /></label>
      <label class="field"><span>${t("fewShot")}</span><input type="number" min="0" max="32" value=${fewShot} onInput=${(e) => setFewShot(e.currentTarget.value)} /></label>
      <button class="primary" id="generate" disabled=${busy || !model || !ready || chosen.length === 0} onClick=${generate}>${t("send")}</button>
      ${sent && html`<details><summary>${t("sentPrompt")}</summary><pre class="report" id="sent-prompt">${sent}</pre></details>`}
    </section>
    <div class="columns">
      ${columns.filter((c) => outputs[c.id]).map((c) => html`<section class="card" data-output=${c.id === "base" ? "base" : c.label} data-done=${outputs[c.id].done}>
        <h2>${c.label}</h2>
        <div class="output">${outputs[c.id].text}</div>
        ${outputs[c.id].error && html`<div class="error">${outputs[c.id].error}</div>`}
      </section>`)}
    </div>
  </div>`;
}
