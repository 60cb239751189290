// Agreement with the official scripts. First, test/fixtures/eval/official-qa-scores.json holds the outputs of the
// SQuAD v1.1 and KorQuAD v1.0 metric functions run by Python 3.11 on 60 tricky cases (provenance in its README).
// Second, the official scripts themselves run under python3 against localtune's whole scoring path.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalGenerator } from "./interfaces.js";
import { korquadNormalize, qaScore, squadNormalize } from "./qa-metrics.js";
import { loadSuite, qaPrompt, runSuite, type SuiteItem } from "./suite.js";

interface OfficialCase {
  prediction: string;
  truths: string[];
  squad: { normalized: string; exactMatch: number; f1: number };
  korquad: { normalized: string; exactMatch: number; f1: number };
}

const { cases } = JSON.parse(fs.readFileSync(path.resolve("test/fixtures/eval/official-qa-scores.json"), "utf8")) as { cases: OfficialCase[] };

describe("scores equal the official scripts' outputs", () => {
  it("has the whole case set", () => expect(cases).toHaveLength(60));

  it.each(cases.map((c) => [JSON.stringify(c.prediction), JSON.stringify(c.truths), c] as const))("%s vs %s", (_p, _t, c) => {
    expect(squadNormalize(c.prediction)).toBe(c.squad.normalized);
    expect(korquadNormalize(c.prediction)).toBe(c.korquad.normalized);
    const squad = qaScore(c.prediction, c.truths, "squad");
    expect(squad.exactMatch).toBe(c.squad.exactMatch);
    expect(squad.f1).toBeCloseTo(c.squad.f1, 12);
    const korquad = qaScore(c.prediction, c.truths, "korquad");
    expect(korquad.exactMatch).toBe(c.korquad.exactMatch);
    expect(korquad.f1).toBeCloseTo(c.korquad.f1, 12);
  });
});

// Parity with the official scripts themselves, run by the system python3 on a fixed set of perturbed predictions.
// Fixtures and provenance: test/fixtures/qa-official/README.md. Each gold question is copied once per perturbation
// kind (id "<id>~<kind>"); the official script scores the raw model output, and localtune scores it through
// loadSuite + runSuite (the path `localtune eval` takes, Python-style strip included) under the suite's "auto" rules.
const OFFICIAL = path.resolve("test/fixtures/qa-official");
const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const hasPython = python.error === undefined && python.status === 0;
if (!hasPython) console.warn("qa-metrics.official.test: SKIPPING the official-script parity tests: no python3 on PATH (CI has one).");

interface OfficialQa {
  id: string;
  question: string;
  answers: Array<{ text: string }>;
}
interface OfficialDataset {
  version: string;
  data: Array<{ title: string; paragraphs: Array<{ context: string; qas: OfficialQa[] }> }>;
}

const FULL_WIDTH = (s: string) => Array.from(s, (ch) => (ch === " " ? "\u3000" : ch >= "!" && ch <= "~" ? String.fromCodePoint(ch.codePointAt(0)! + 0xfee0) : ch)).join("");

/** The perturbations: what a model might output for a question whose first gold answer is `a` (never a newline, where generation stops). */
const PERTURBATIONS: Record<string, (a: string, i: number, next: string, far: string, last: string) => string> = {
  exact: (a) => a,
  "whitespace-punct": (a) => ` \t${a.replace(/ /g, "  ")} ?!`,
  particle: (a, i) => a + ["는", "가", "입니다"][i % 3]!,
  partial: (a) => Array.from(a).slice(0, Math.max(1, Math.ceil(Array.from(a).length / 2))).join(""),
  neighbour: (a, _i, next) => `${next} ${a}`,
  wrong: (_a, _i, _next, far) => far,
  empty: () => "",
  "articles-case": (a) => `The ${a.toUpperCase()}`,
  "full-width": FULL_WIDTH,
  "nfd-hangul": (a) => a.normalize("NFD"),
  "no-break-spaces": (a) => `\u202f${a.replace(/ /g, "\u00a0")}\u00a0`,
  bom: (a, i) => (i % 2 === 0 ? `\ufeff${a}` : `${a}\ufeff`),
  "python-only-whitespace": (a) => `\u0085${a}\u001c\u2028`,
  "other-answer": (_a, _i, _next, _far, last) => `the ${last.toLowerCase()}`,
};

/** The dataset with every question copied once per perturbation, and the predictions for those copies. */
function perturbedSet(dataset: OfficialDataset): { dataset: OfficialDataset; predictions: Record<string, string> } {
  const flat = dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
  const index = new Map(flat.map((qa, i) => [qa.id, i]));
  const predictions: Record<string, string> = {};
  const data = dataset.data.map((article) => ({
    ...article,
    paragraphs: article.paragraphs.map((p) => ({
      ...p,
      qas: p.qas.flatMap((qa) => {
        const i = index.get(qa.id)!;
        const first = qa.answers[0]!.text;
        const next = flat[(i + 1) % flat.length]!.answers[0]!.text;
        const far = flat[(i + Math.floor(flat.length / 2)) % flat.length]!.answers[0]!.text;
        const last = qa.answers[qa.answers.length - 1]!.text;
        return Object.entries(PERTURBATIONS).map(([kind, make]) => {
          const id = `${qa.id}~${kind}`;
          predictions[id] = make(first, i, next, far, last);
          return { ...qa, id };
        });
      }),
    })),
  }));
  return { dataset: { version: dataset.version, data }, predictions };
}

function runPython(args: string[]): string {
  // PYTHONUTF8: the SQuAD script opens its files without an encoding; UTF-8 mode makes that UTF-8 on every locale.
  const r = spawnSync("python3", args, { encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, PYTHONUTF8: "1", PYTHONIOENCODING: "utf-8" } });
  if (r.status !== 0) throw new Error(`python3 ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe.skipIf(!hasPython)("parity with the official scripts run by python3 (0 differing items, identical totals)", () => {
  it.each([
    ["SQuAD v1.1 dev sample", "squad-v1.1-dev-sample.json", "evaluate-v1.1.py", "squad"],
    ["KorQuAD-style Korean items", "korquad-style-ko.json", "evaluate-v1.0.py", "korquad"],
  ] as const)("%s", async (_name, datasetFile, script, expectedRules) => {
    const original = JSON.parse(fs.readFileSync(path.join(OFFICIAL, datasetFile), "utf8")) as OfficialDataset;
    const { dataset, predictions } = perturbedSet(original);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-qa-parity-"));
    const datasetPath = path.join(dir, "dataset.json");
    const predictionsPath = path.join(dir, "predictions.json");
    fs.writeFileSync(datasetPath, JSON.stringify(dataset));
    fs.writeFileSync(predictionsPath, JSON.stringify(predictions));

    const officialTotals = JSON.parse(runPython([path.join(OFFICIAL, script), datasetPath, predictionsPath])) as { exact_match: number; f1: number };
    const officialItems = JSON.parse(runPython([path.join(OFFICIAL, "per_item.py"), path.join(OFFICIAL, script), datasetPath, predictionsPath])) as Record<string, [number, number]>;

    // localtune: the suite file `localtune eval` would read (style auto), and a generator that replies in order.
    const lines = dataset.data.flatMap((a) =>
      a.paragraphs.flatMap((p) =>
        p.qas.map((qa) => JSON.stringify({ kind: "qa", id: qa.id, question: qa.question, ...(p.context ? { context: p.context } : {}), answers: qa.answers.map((x) => x.text) })),
      ),
    );
    const suiteFile = path.join(dir, "suite.jsonl");
    fs.writeFileSync(suiteFile, [JSON.stringify({ kind: "suite", style: "auto" }), ...lines].join("\n"));
    const suite = loadSuite(suiteFile);
    let next = 0;
    const generator: EvalGenerator = {
      backend: "official predictions",
      async complete(prompt) {
        const item = suite.items[next++] as Extract<SuiteItem, { kind: "qa" }>;
        expect(prompt).toBe(qaPrompt(item));
        return predictions[item.id]!;
      },
    };
    const result = await runSuite(generator, { logprob: async () => 0 }, suite.items, { qaStyle: suite.qaStyle });

    const differing = result.items.filter((r) => {
      const [em, f1] = officialItems[r.id]!;
      return r.exactMatch !== em || r.f1 !== f1;
    });
    const qa = result.summary.qa!;
    console.log(
      `${_name}: ${result.items.length} items (${original.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas)).length} questions x ${Object.keys(PERTURBATIONS).length} perturbations), ` +
        `${differing.length} differ; official EM ${officialTotals.exact_match} F1 ${officialTotals.f1}; localtune EM ${qa.exactMatch} F1 ${qa.f1}; rules ${JSON.stringify(qa.rules)}`,
    );
    expect(Object.keys(officialItems)).toHaveLength(result.items.length);
    expect(differing.map((r) => ({ id: r.id, output: r.output, localtune: [r.exactMatch, r.f1], official: officialItems[r.id] }))).toEqual([]);
    expect(qa.exactMatch).toBe(officialTotals.exact_match);
    expect(qa.f1).toBe(officialTotals.f1);
    expect(qa.rules[expectedRules]).toBe(result.items.length);
  });
});
