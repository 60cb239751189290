// `localtune ladder`: runs every rung (prompt, few-shot, RAG, then each training method) under one budget, scores
// each with localtune's engine on the same held-out set, and writes results.json, report.md and report.html.
import fs from "node:fs";
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { writeFileAtomic } from "../data/io.js";
import { EngineModel } from "../engine/model.js";
import { resolveThreads } from "../native/threads.js";
import { readGguf } from "../formats/gguf/index.js";
import { FileNotFoundError, InvalidConfigError, LocaltuneError } from "../errors.js";
import { evalQualityFigures } from "../eval/evaluate.js";
import type { QaStyleSetting } from "../eval/qa-metrics.js";
import { createLlamaJudge } from "../eval/judge.js";
import { loadSuite, suiteQaRules, type SuiteItem } from "../eval/suite.js";
import { qaRulesLabel } from "../eval/table.js";
import { getLang, type Lang } from "../i18n/index.js";
import { loadGgml } from "../native/ggml-runtime.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { resolveModelPath } from "../native/model-source.js";
import { loadFewShotPool } from "../prompt/few-shot.js";
import { writeReport, type WrittenReport } from "../report/write.js";
import type { MethodResult, ReportInput } from "../report/schema.js";
import { describeBudget, parseBudget } from "./budget.js";
import { clozeDecidedAfter, fewShotContext, retrievalQuery, suiteExamplePool, withContext, type KindedExample } from "./context-items.js";
import { createEngineEvalBackend } from "./engine-eval.js";
import { describeMachine, softwareVersions } from "./environment.js";
import { evaluateRung, type RungEval } from "./evaluate-rung.js";
import { checkExternalRungs, scoreExternalRung } from "./external-rung.js";
import { resolveLadderOptions, type LadderOptions, type LadderOptionsInput } from "./options.js";
import { buildLadderRagIndex, type LadderRagIndex } from "./rag-context.js";
import { selectRungs, type Rung } from "./rungs.js";
import { loadTrainedRun } from "./trained-model.js";
import { trainRung } from "./train-rung.js";

export type LadderEvent =
  | { type: "rung"; rung: Rung; index: number; total: number }
  | { type: "step"; rung: Rung; step: number; totalSteps: number | null; loss: number }
  | { type: "eval"; rung: Rung; done: number; total: number }
  | { type: "result"; rung: Rung; result: MethodResult };

export interface LadderResult {
  input: ReportInput;
  written: WrittenReport;
  resultsFile: string;
  seconds: number;
}

/** Marks a folder as a ladder's output, so a rerun may replace what an earlier ladder wrote there (and nothing else). */
const MARKER = "ladder.json";
const OWNED = ["runs", "evals", "rag", "results.json", "report.md", "report.html"];

function prepareOutDir(out: string, options: LadderOptions): void {
  const marker = path.join(out, MARKER);
  if (fs.existsSync(marker)) {
    for (const name of OWNED) fs.rmSync(path.join(out, name), { recursive: true, force: true });
  } else if (OWNED.some((name) => fs.existsSync(path.join(out, name)))) {
    throw new InvalidConfigError({
      en: `${out} already has ${OWNED.filter((n) => fs.existsSync(path.join(out, n))).join(", ")} that no ladder wrote. Choose another --out or empty the folder.`,
      ko: `${out}에 사다리가 만들지 않은 ${OWNED.filter((n) => fs.existsSync(path.join(out, n))).join(", ")}이(가) 있습니다. 다른 --out을 지정하거나 폴더를 비우세요.`,
    });
  }
  fs.mkdirSync(out, { recursive: true });
  writeFileAtomic(marker, JSON.stringify({ startedAt: new Date().toISOString(), options }, null, 2) + "\n");
}

/**
 * The thread rule every command uses (native/threads.ts) for this model: ggml's threads meet at a barrier after every
 * op, and for a model like stories260K the ops take microseconds, so extra threads only wait (20 DAPT steps: 4.2 s on
 * 1 thread, 41.7 s on 2, on a 2-core machine).
 */
export function defaultThreads(modelPath: string): number {
  return resolveThreads({ parameterCount: readGguf(modelPath).tensors.reduce((sum, t) => sum + t.elementCount, 0) });
}

function readHeldOut(file: string): string {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "held-out text");
  const text = fs.readFileSync(file, "utf8").normalize("NFC");
  if (text.trim() === "") {
    throw new LocaltuneError({
      en: `${file} is empty: perplexity needs held-out text. Give a text file none of the rungs trains on.`,
      ko: `${file}이(가) 비어 있습니다. 퍼플렉서티에는 어떤 단계도 학습하지 않는 텍스트가 필요합니다.`,
    });
  }
  return text;
}

/** "; QA scored with KorQuAD v1.0 (...)" for the report's suite line, or nothing when the suite has no QA items. */
function qaRulesNote(items: readonly SuiteItem[], qaStyle: QaStyleSetting, lang: Lang): string {
  const rules = suiteQaRules(items, qaStyle);
  if (rules.squad + rules.korquad === 0) return "";
  return lang === "ko" ? `; QA 채점 규칙: ${qaRulesLabel(qaStyle, rules, lang)}` : `; QA scored with ${qaRulesLabel(qaStyle, rules, lang)}`;
}

export async function runLadder(input: LadderOptionsInput, onEvent: (event: LadderEvent) => void = () => {}, lang: Lang = getLang()): Promise<LadderResult> {
  const started = performance.now();
  const options = resolveLadderOptions(input);
  // Everything the user named is checked before any model loads or any folder is touched.
  const budget = parseBudget(options.budget);
  const rungs = selectRungs(options.methods);
  checkExternalRungs(options.addRungs, rungs.map((r) => r.id));
  const totalRungs = rungs.length + options.addRungs.length;
  // --model may be an hf: URI or URL: every rung below reads the local file (a missing path is a FileNotFoundError).
  options.model = await resolveModelPath(options.model);
  for (const d of options.data) if (!fs.existsSync(d)) throw new FileNotFoundError(d, "training data");
  const suite = loadSuite(options.suite);
  const items = suite.items;
  const qaStyle = options.qaStyle ?? suite.qaStyle;
  const heldOut = options.heldOut !== undefined ? readHeldOut(options.heldOut) : undefined;
  const pool: KindedExample[] = options.examples !== undefined ? loadFewShotPool(options.examples).examples : suiteExamplePool(items);
  const threads = options.threads ?? defaultThreads(options.model);
  const out = path.resolve(options.out);
  prepareOutDir(out, options);
  const machine = describeMachine(threads);

  const vocab = await loadLlamaModel(options.model, { vocabOnly: true });
  const needsJudge = options.judgeModel !== undefined && items.some((i) => i.kind === "judge");
  const judgeModel = needsJudge ? await loadLlamaModel(options.judgeModel!) : undefined;
  const judge = judgeModel ? await createLlamaJudge(judgeModel, { threads }) : undefined;
  let base: EngineModel | undefined;
  let rag: LadderRagIndex | undefined;
  const runs: MethodResult[] = [];
  try {
    for (const [index, rung] of rungs.entries()) {
      onEvent({ type: "rung", rung, index, total: totalRungs });
      const evalFile = path.join(out, "evals", `${rung.id}.json`);
      const onItem = (done: number, total: number) => onEvent({ type: "eval", rung, done, total });
      let result: MethodResult;
      if (rung.kind === "train") {
        const trained = await trainRung(rung, {
          model: options.model,
          data: options.data,
          runDir: path.join(out, "runs", rung.id),
          budget,
          ctx: options.ctx,
          batch: options.batch,
          checkpointActivations: options.checkpointActivations,
          kernelLayouts: options.kernelLayouts,
          precision: options.precision,
          seed: options.seed,
          threads,
          onStep: (step, totalSteps, loss) => onEvent({ type: "step", rung, step, totalSteps, loss }),
        });
        const loaded = await loadTrainedRun(trained.runDir, threads);
        let evaluation: RungEval;
        try {
          const backend = createEngineEvalBackend(loaded.model, vocab, loaded.hooks, {
            windowTokens: options.ctx,
            backend: `localtune engine + ${rung.method}`,
            decidedAfter: clozeDecidedAfter(items),
          });
          evaluation = await evaluateRung(backend, items, { rung: rung.id, file: evalFile, onItem, qaStyle, ...(heldOut !== undefined ? { heldOut } : {}), ...(judge ? { judge } : {}) });
        } finally {
          loaded.dispose();
        }
        result = {
          method: rung.id,
          label: rung.label,
          trainableParams: trained.trainableParams,
          trainSeconds: trained.trainSeconds,
          tokensPerSecond: trained.tokensPerSecond,
          peakMemoryBytes: trained.peakMemoryBytes,
          ...evalQualityFigures(evaluation),
          lossCurve: trained.lossCurve,
          notes: `${trained.recipe}; run folder runs/${rung.id}`,
        };
      } else {
        base ??= await EngineModel.load(options.model, { threads });
        let rungItems: SuiteItem[] = items;
        let notes: string;
        if (rung.kind === "few-shot") {
          rungItems = items.map((item, i) => withContext(item, fewShotContext(pool, item, i, options.fewShot, options.seed)));
          notes = `${options.fewShot} examples before each item from ${options.examples ?? "the other suite items of the same kind whose answer differs"}`;
        } else if (rung.kind === "rag") {
          rag ??= await buildLadderRagIndex(options.data, path.join(out, "rag"), vocab, path.basename(options.model), options.ragPassageTokens);
          const retriever = rag.retriever;
          rungItems = [];
          for (const item of items) {
            const hits = await retriever.search(retrievalQuery(item), options.ragPassages);
            rungItems.push(withContext(item, hits.map((h) => h.text).join("\n")));
          }
          notes = `top ${options.ragPassages} of ${rag.chunks} passages (BM25, at most ${options.ragPassageTokens} tokens each) before each item; index built in ${rag.seconds.toFixed(1)} s`;
          if (rag.skipped.length > 0) notes += `; not indexed: ${rag.skipped.join("; ")}`;
        } else {
          notes = "the suite's prompts as they are";
        }
        // Few-shot and RAG leave the model unchanged: its held-out perplexity is the baseline's, measured once.
        const measurePpl = rung.kind === "prompt" && heldOut !== undefined;
        if (rung.kind !== "prompt" && heldOut !== undefined) notes += "; perplexity: unchanged base model, see the baseline";
        const backend = createEngineEvalBackend(base, vocab, {}, { windowTokens: options.ctx, backend: "localtune engine", decidedAfter: clozeDecidedAfter(rungItems) });
        const evaluation = await evaluateRung(backend, rungItems, { rung: rung.id, file: evalFile, onItem, qaStyle, ...(measurePpl ? { heldOut } : {}), ...(judge ? { judge } : {}) });
        result = {
          method: rung.id,
          label: rung.label,
          trainableParams: 0,
          trainSeconds: 0,
          tokensPerSecond: null,
          peakMemoryBytes: null,
          ...evalQualityFigures(evaluation),
          lossCurve: [],
          notes,
        };
      }
      runs.push(result);
      onEvent({ type: "result", rung, result });
    }
    for (const [i, spec] of options.addRungs.entries()) {
      const rung: Rung = { id: spec.name, label: `${spec.name} (external)`, kind: "external" };
      onEvent({ type: "rung", rung, index: rungs.length + i, total: totalRungs });
      const result = await scoreExternalRung(spec, {
        baseModel: options.model,
        threads,
        vocab,
        items,
        qaStyle,
        windowTokens: options.ctx,
        evalFile: path.join(out, "evals", `${spec.name}.json`),
        onItem: (done, total) => onEvent({ type: "eval", rung, done, total }),
        ...(heldOut !== undefined ? { heldOut } : {}),
        ...(judge ? { judge } : {}),
      });
      runs.push(result);
      onEvent({ type: "result", rung, result });
    }
  } finally {
    await rag?.retriever.close();
    base?.dispose();
    await judge?.dispose();
    await judgeModel?.dispose();
    await vocab.dispose();
  }

  const ggml = await loadGgml();
  const report: ReportInput = {
    ...(options.title !== undefined ? { title: options.title } : {}),
    environment: {
      machine,
      versions: softwareVersions(ggml.api.ggml_version()),
      seeds: { train: options.seed, "few-shot": options.seed },
      model: options.model,
      data: options.data.join(", "),
      evalSuite: `${options.suite} (${items.length} items${qaRulesNote(items, qaStyle, lang)})${options.heldOut !== undefined ? `; perplexity on ${options.heldOut}` : ""}`,
      budget: `${describeBudget(budget)}; ctx ${options.ctx}, batch ${options.batch}`,
      createdAt: new Date().toISOString(),
    },
    runs,
  };
  const resultsFile = path.join(out, "results.json");
  writeFileAtomic(resultsFile, JSON.stringify(report, null, 2) + "\n");
  const written = writeReport(report, out, lang);
  return { input: report, written, resultsFile, seconds: (performance.now() - started) / 1000 };
}
