// The localtune UI: header with pages and the language switch; each page is its own module.
import { render } from "preact";
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { DataPage } from "./data.js";
import { ExportPage } from "./export.js";
import { LadderPage } from "./ladder.js";
import { api, getLang, loadMessages, setLang, t } from "./lib.js";
import { MachinePage } from "./machine.js";
import { PlaygroundPage } from "./playground.js";
import { RagPage } from "./rag.js";
import { TrainPage } from "./train.js";

const PAGES = [
  ["train", "navTrain", TrainPage],
  ["data", "navData", DataPage],
  ["playground", "navPlayground", PlaygroundPage],
  ["ladder", "navLadder", LadderPage],
  ["rag", "navRag", RagPage],
  ["export", "navExport", ExportPage],
  ["machine", "navMachine", MachinePage],
];

function App() {
  const [page, setPage] = useState(location.hash.slice(1) || "train");
  const [lang, setLangState] = useState(getLang());
  // The base model is shared by every page and remembered across reloads.
  const [model, setModelState] = useState(localStorage.getItem("localtune.model") || "");
  // Until the user picks a model, the package's own tiny one (stories260K) fills the field.
  useEffect(() => {
    if (!localStorage.getItem("localtune.model")) api("GET", "/api/workspace").then((w) => setModelState((cur) => cur || w.demo.model));
  }, []);
  const setModel = (m) => {
    localStorage.setItem("localtune.model", m);
    setModelState(m);
  };
  const go = (p) => {
    location.hash = p;
    setPage(p);
  };
  const Page = (PAGES.find(([id]) => id === page) ?? PAGES[0])[2];
  return html`<div data-lang=${lang}>
    <header>
      <h1>${t("title")}</h1>
      <nav>${PAGES.map(([id, key]) => html`<button class=${id === page ? "active" : ""} data-page=${id} onClick=${() => go(id)}>${t(key)}</button>`)}</nav>
      <span class="spacer"></span>
      <button class="secondary" id="lang" title=${t("languageHint")} onClick=${() => { setLang(lang === "ko" ? "en" : "ko"); setLangState(getLang()); }}>${t("language")}</button>
    </header>
    <main><${Page} model=${model} setModel=${setModel} /></main>
  </div>`;
}

await loadMessages();
document.documentElement.lang = getLang();
render(html`<${App} />`, document.getElementById("app"));
