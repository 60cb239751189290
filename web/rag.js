// RAG page: index documents, search with the matching words highlighted, and ask a model for an answer whose
// numbered citations open the passages they name.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorText, PathInput, t } from "./lib.js";

/** Query words to mark in a passage: each word, and for Hangul words their syllable pairs (particles vary). */
function highlightTerms(query) {
  const words = query.normalize("NFC").toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  const terms = new Set(words);
  for (const w of words) if (/^\p{Script=Hangul}+$/u.test(w)) for (let i = 0; i + 2 <= w.length; i++) terms.add(w.slice(i, i + 2));
  return [...terms].sort((a, b) => b.length - a.length);
}

function Highlighted({ text, query }) {
  const terms = highlightTerms(query);
  if (terms.length === 0) return text;
  const pattern = new RegExp(`(${terms.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})`, "giu");
  return text.split(pattern).map((part, i) => (i % 2 === 1 ? html`<mark>${part}</mark>` : part));
}

export function RagPage({ model, setModel }) {
  const [inputs, setInputs] = useState([]);
  const [next, setNext] = useState("");
  const [name, setName] = useState("my-index");
  const [indexes, setIndexes] = useState([]);
  const [index, setIndex] = useState("");
  const [question, setQuestion] = useState("");
  const [k, setK] = useState("5");
  const [built, setBuilt] = useState(null);
  const [hits, setHits] = useState(null);
  const [answer, setAnswer] = useState(null);
  const [open, setOpen] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const refresh = () =>
    api("GET", "/api/rag/indexes").then((list) => {
      setIndexes(list);
      if (list.length > 0) setIndex((cur) => cur || list[list.length - 1].dir);
    });
  useEffect(() => void refresh(), []);
  const work = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e.body ?? e));
    } finally {
      setBusy(false);
    }
  };
  const build = () => work(async () => {
    setBuilt(await api("POST", "/api/rag/index", { name, inputs }));
    await refresh();
  });
  const search = () => work(async () => {
    setAnswer(null);
    setHits((await api("POST", "/api/rag/search", { index, question, k: Number(k) })).hits);
  });
  const ask = () => work(async () => {
    setHits(null);
    setAnswer(await api("POST", "/api/rag/ask", { index, question, k: Number(k), model }));
  });
  const sourceList = (list) => html`<ol class="sources">${list.map((h) => html`<li id=${`source-${h.number ?? h.rank}`} data-source=${h.number ?? h.rank}>
    <a href="#" onClick=${(e) => { e.preventDefault(); setOpen(open === h.chunkId ? null : h.chunkId); }}>${h.citation}</a>
    <div class=${open === h.chunkId ? "output" : "output muted"} style=${open === h.chunkId ? "" : "max-height:4.5em; overflow:hidden"}><${Highlighted} text=${h.text} query=${question} /></div>
  </li>`)}</ol>`;
  // [n] in the answer opens source n.
  const answerText = (text, sources) =>
    text.split(/(\[\d+\])/).map((part) => {
      const n = /^\[(\d+)\]$/.exec(part)?.[1];
      const source = n && sources.find((s) => s.number === Number(n));
      return source ? html`<a href=${`#source-${n}`} onClick=${() => setOpen(source.chunkId)}>${part}</a>` : part;
    });

  return html`<div>
    <section class="card" id="rag-index">
      <h2>${t("navRag")}</h2>
      <label class="field"><span>${t("inputs")}</span>
        <div>
          ${inputs.map((p) => html`<div class="row"><code style="flex:1">${p}</code><button type="button" class="secondary" onClick=${() => setInputs(inputs.filter((x) => x !== p))}>${t("remove")}</button></div>`)}
          <div class="row"><${PathInput} name="input" value=${next} onChange=${setNext} /><button type="button" class="secondary" onClick=${() => { if (next && !inputs.includes(next)) setInputs([...inputs, next]); setNext(""); }}>${t("add")}</button></div>
        </div>
      </label>
      <label class="field"><span>${t("indexName")}</span><input type="text" name="index-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /></label>
      <button class="primary" id="build-index" disabled=${busy || inputs.length === 0} onClick=${build}>${t("buildIndex")}</button>
      ${built && html`<p id="index-result">${t("indexed", { chunks: built.chunks, added: built.added.length, skipped: built.skipped.length, seconds: built.seconds.toFixed(1) })}</p>`}
    </section>
    <section class="card" id="rag-search">
      ${indexes.length === 0
        ? html`<p class="muted">${t("noIndexes")}</p>`
        : html`<label class="field"><span>${t("index")}</span><select name="index" value=${index} onChange=${(e) => setIndex(e.currentTarget.value)}>${indexes.map((i) => html`<option value=${i.dir}>${i.name}</option>`)}</select></label>`}
      <label class="field"><span>${t("question")}</span><input type="text" name="question" value=${question} onInput=${(e) => setQuestion(e.currentTarget.value)} /></label>
      <label class="field"><span>${t("passages")}</span><input type="number" min="1" max="50" value=${k} onInput=${(e) => setK(e.currentTarget.value)} /></label>
      <label class="field"><span>${t("model")}</span><${PathInput} name="model" value=${model} onChange=${setModel} /></label>
      <div class="row">
        <button class="primary" id="search" disabled=${busy || !index || !question} onClick=${search}>${t("search")}</button>
        <button class="secondary" id="ask" disabled=${busy || !index || !question || !model} onClick=${ask}>${t("ask")}</button>
        ${busy && html`<span class="muted">${t("running")}</span>`}
      </div>
      ${error && html`<div class="error">${error}</div>`}
      ${hits && sourceList(hits)}
      ${answer && html`<div id="rag-answer"><h2>${t("answer")}</h2><div class="output">${answerText(answer.answer, answer.sources)}</div><h2>${t("sources")}</h2>${sourceList(answer.sources)}</div>`}
    </section>
  </div>`;
}
