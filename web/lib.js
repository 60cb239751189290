// Shared pieces of the localtune UI: the message table and language, API calls, the live event stream and the file
// picker. Plain ES modules served from the package (no build step).
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";

let messages = {};
let lang = localStorage.getItem("localtune.lang") || (navigator.language.startsWith("ko") ? "ko" : "en");

export async function loadMessages() {
  messages = await api("GET", "/api/messages");
}
export function getLang() {
  return lang;
}
export function setLang(next) {
  lang = next;
  localStorage.setItem("localtune.lang", next);
  document.documentElement.lang = next;
}
/** The message in the current language with `{name}` filled, as the CLI's msg() does. */
export function t(key, params = {}) {
  const entry = messages[key];
  const text = entry ? entry[lang] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
/** A server error ({name, en, ko}) in the current language. */
export function errorText(error) {
  if (error && typeof error === "object" && "en" in error) return lang === "ko" ? error.ko : error.en;
  return String(error?.message ?? error);
}

export class ApiFailure extends Error {
  constructor(body) {
    super(body.en);
    this.body = body;
  }
}

export async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new ApiFailure(data);
  return data;
}

/** POSTs and reads the server-sent events of the response (generation streams its text this way). */
export async function apiStream(url, body, onEvent) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new ApiFailure(await response.json());
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined) onEvent(event, JSON.parse(data));
    }
  }
}

let source;
/** Subscribes to the server's live events (training steps, job status, preparation progress). */
export function useServerEvents(listener) {
  useEffect(() => {
    source ??= new EventSource("/api/events");
    const handle = (e) => listener(JSON.parse(e.data));
    source.addEventListener("message", handle);
    return () => source.removeEventListener("message", handle);
  }, [listener]);
}

/** A path field with a Browse… button that opens a one-folder-at-a-time picker on the server's disk. */
export function PathInput({ value, onChange, folder = false, placeholder = "", name }) {
  const [open, setOpen] = useState(false);
  return html`<div class="row">
    <input type="text" name=${name} value=${value} placeholder=${placeholder} onInput=${(e) => onChange(e.currentTarget.value)} />
    <button type="button" class="secondary" onClick=${() => setOpen(true)}>${t("browse")}</button>
    ${open && html`<${FilePicker} folder=${folder} start=${value} onPick=${(p) => { onChange(p); setOpen(false); }} onClose=${() => setOpen(false)} />`}
  </div>`;
}

function FilePicker({ folder, start, onPick, onClose }) {
  const [listing, setListing] = useState(null);
  const [error, setError] = useState(null);
  const go = (dir) =>
    api("GET", `/api/fs${dir ? `?dir=${encodeURIComponent(dir)}` : ""}`).then(
      (l) => { setListing(l); setError(null); },
      (e) => setError(errorText(e.body ?? e)),
    );
  useEffect(() => {
    // Start at the folder of the current value when there is one, else the workspace.
    const startDir = start ? start.replace(/[\\/][^\\/]*$/, "") : "";
    go(startDir).catch(() => go(""));
  }, []);
  return html`<div class="modal" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <div>
      <div class="row"><b style="flex:1; overflow-wrap:anywhere">${listing?.dir ?? ""}</b>
        <button type="button" class="secondary" disabled=${!listing?.parent} onClick=${() => go(listing.parent)}>${t("up")}</button></div>
      ${error && html`<div class="error">${error}</div>`}
      <ul>
        ${(listing?.entries ?? []).map(
          (e) => html`<li data-name=${e.name} onClick=${() => (e.folder ? go(e.path) : !folder && onPick(e.path))}>
            <span>${e.folder ? "📁 " : "📄 "}${e.name}</span><span class="muted">${e.folder ? "" : `${(e.bytes / 1024).toFixed(1)} KiB`}</span>
          </li>`,
        )}
      </ul>
      <div class="row">
        <button type="button" class="primary" onClick=${() => onPick(listing.dir)}>${t("chooseFolder")}</button>
        <button type="button" class="secondary" onClick=${onClose}>${t("close")}</button>
      </div>
    </div>
  </div>`;
}

/** A schema field's help in the current language: its Korean description where the schema gives one. */
export function fieldDescription(field) {
  return lang === "ko" && field.descriptionKo ? field.descriptionKo : field.description;
}

/** A form control for one schema field (from the server's optionFields); values stay strings until `fieldValues`. */
export function Field({ field, value, onChange }) {
  const help = [fieldDescription(field), field.default !== undefined ? t("defaultValue", { value: JSON.stringify(field.default) }) : ""].filter(Boolean).join(" · ");
  let control;
  if (field.kind === "boolean") {
    control = html`<input type="checkbox" name=${field.name} checked=${value ?? field.default ?? false} onChange=${(e) => onChange(e.currentTarget.checked)} />`;
  } else if (field.kind === "enum") {
    control = html`<select name=${field.name} value=${value ?? field.default ?? ""} onChange=${(e) => onChange(e.currentTarget.value)}>
      ${field.default === undefined && html`<option value="">${t("none")}</option>`}
      ${field.choices.map((c) => html`<option value=${c}>${c}</option>`)}
    </select>`;
  } else {
    const numeric = field.kind === "number" || field.kind === "integer";
    control = html`<input type=${numeric ? "number" : "text"} name=${field.name} step=${field.kind === "integer" ? 1 : "any"} min=${field.minimum} max=${field.maximum}
      placeholder=${field.default !== undefined ? String(field.default) : ""} value=${value ?? ""} onInput=${(e) => onChange(e.currentTarget.value)} />`;
  }
  return html`<label class="field"><span>${field.name}</span>${control}<small>${help}</small></label>`;
}

/** Turns the form's raw values into the options object: blanks are left out so the schema's defaults apply. */
export function fieldValues(fields, raw) {
  const out = {};
  for (const f of fields) {
    const v = raw[f.name];
    if (v === undefined || v === "") continue;
    if (f.kind === "number" || f.kind === "integer") out[f.name] = Number(v);
    else if (f.kind === "string-list") out[f.name] = String(v).split(",").map((s) => s.trim()).filter(Boolean);
    else out[f.name] = v;
  }
  return out;
}
