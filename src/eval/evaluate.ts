// `localtune eval`: loads a model (and optional GGUF LoRA adapter), runs a suite and held-out perplexity, writes
// eval.json. Scoring runs on node-llama-cpp for now; localtune's own engine can plug in through EvalScorer.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { FileNotFoundError, LocaltuneError } from "../errors.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import type { HeldOutPerplexity } from "./interfaces.js";
import { createLlamaJudge } from "./judge.js";
import { createLlamaEvalBackend } from "./llama-scorer.js";
import type { QaStyleSetting } from "./qa-metrics.js";
import { loadSuite, runSuite, type ItemResult, type SuiteResult } from "./suite.js";

export const EVAL_FORMAT_VERSION = 1;

export interface EvaluateOptions {
  /** GGUF model file (or hf: URI). */
  model: string;
  /** GGUF LoRA adapter applied on top of the model. */
  adapter?: string;
  /** Suite JSONL file. */
  suite: string;
  /** QA rule set; overrides the suite file's settings line (default: the file's, else "auto"). */
  qaStyle?: QaStyleSetting;
  /** Held-out UTF-8 text for perplexity. */
  ppl?: string;
  /** Where eval.json goes; default ./eval.json. */
  out?: string;
  /** Model used as judge for judge items; default the evaluated model itself (without the adapter). */
  judgeModel?: string;
  /** Skip judge items (they are listed as skipped). */
  noJudge?: boolean;
  /** CPU threads; default node-llama-cpp's choice. */
  threads?: number;
  /** Context size for scoring and generation (and the perplexity window); default min(train context, 1024). */
  contextSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalReport {
  format: number;
  createdAt: string;
  model: string;
  adapter: string | null;
  suite: string;
  /** The QA rule setting used (command line, else the suite file, else "auto"); summary.qa.rules has the counts. */
  qaStyle: QaStyleSetting;
  heldOut: string | null;
  backend: string;
  versions: { localtune: string; nodeLlamaCpp: string; node: string };
  seconds: number;
  perplexity: (HeldOutPerplexity & { note: string }) | null;
  summary: SuiteResult["summary"];
  skipped: SuiteResult["skipped"];
  items: ItemResult[];
}

const PPL_NOTE =
  "computed from node-llama-cpp's next-token probabilities (localtune's own engine will take over through the same EvalScorer interface)";

/** Version of localtune (two folders up from this file) or of an installed package (found from its entry point). */
function packageVersion(name: string): string {
  try {
    if (name === "localtune") return readVersion(new URL("../../package.json", import.meta.url));
    // Packages whose "exports" hide package.json: walk up from the resolved entry file instead.
    let dir = path.dirname(createRequire(import.meta.url).resolve(name));
    while (!fs.existsSync(path.join(dir, "package.json")) || !dir.endsWith(name)) {
      const parent = path.dirname(dir);
      if (parent === dir) return "unknown";
      dir = parent;
    }
    return readVersion(path.join(dir, "package.json"));
  } catch {
    return "unknown";
  }
}

function readVersion(file: string | URL): string {
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvalReport> {
  const started = performance.now();
  // Read and validate the inputs before loading any model, so a typo fails in milliseconds.
  assertOutputIsNotInput({ path: options.out ?? "eval.json", kind: "file" }, [options.suite, options.model, options.adapter, options.ppl, options.judgeModel]);
  const suite = loadSuite(options.suite);
  const items = suite.items;
  const qaStyle = options.qaStyle ?? suite.qaStyle;
  let heldOut: string | undefined;
  if (options.ppl !== undefined) {
    if (!fs.existsSync(options.ppl)) throw new FileNotFoundError(options.ppl, "held-out text");
    heldOut = fs.readFileSync(options.ppl, "utf8").normalize("NFC");
    if (heldOut.trim() === "") {
      throw new LocaltuneError({
        en: `${options.ppl} is empty: perplexity needs held-out text. Give a text file the model was not trained on.`,
        ko: `${options.ppl}이(가) 비어 있습니다. 퍼플렉서티에는 학습에 쓰지 않은 텍스트가 필요합니다.`,
      });
    }
  }
  if (options.adapter !== undefined && !fs.existsSync(options.adapter)) throw new FileNotFoundError(options.adapter, "adapter");

  const model = await loadLlamaModel(options.model);
  const backend = await createLlamaEvalBackend(model, {
    ...(options.adapter !== undefined ? { loraPath: options.adapter } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
  });
  const needsJudge = !options.noJudge && items.some((i) => i.kind === "judge");
  const judgeModel = needsJudge && options.judgeModel !== undefined ? await loadLlamaModel(options.judgeModel) : model;
  const judge = needsJudge ? await createLlamaJudge(judgeModel, options.threads !== undefined ? { threads: options.threads } : {}) : undefined;
  try {
    const result = await runSuite(backend.generator, backend.scorer, items, {
      qaStyle,
      ...(judge ? { judge } : {}),
      onItem: (done, total) => options.onProgress?.(done, total),
    });
    if (options.noJudge) {
      for (const s of result.skipped) if (s.kind === "judge") s.reason = "--no-judge was given";
    }
    const perplexity = heldOut !== undefined ? { ...(await backend.scorer.perplexity(heldOut)), note: PPL_NOTE } : null;
    const report: EvalReport = {
      format: EVAL_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      model: options.model,
      adapter: options.adapter ?? null,
      suite: options.suite,
      qaStyle,
      heldOut: options.ppl ?? null,
      backend: backend.scorer.backend,
      versions: { localtune: packageVersion("localtune"), nodeLlamaCpp: packageVersion("node-llama-cpp"), node: process.version },
      seconds: (performance.now() - started) / 1000,
      perplexity,
      summary: result.summary,
      skipped: result.skipped,
      items: result.items,
    };
    writeJsonAtomic(options.out ?? "eval.json", report);
    return report;
  } finally {
    await judge?.dispose();
    await backend.dispose();
    if (judgeModel !== model) await judgeModel.dispose();
    await model.dispose();
  }
}

/** Writes JSON to a temporary file beside the target, then renames it: no half-written eval.json. */
function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** The quality figures of an eval, in the shape of the report's per-method fields (null when not measured). */
export function evalQualityFigures(report: Pick<EvalReport, "perplexity" | "summary">): {
  perplexity: number | null;
  exactMatch: number | null;
  f1: number | null;
  clozeAccuracy: number | null;
  judgeScore: number | null;
} {
  const s = report.summary;
  return {
    perplexity: report.perplexity?.perplexity ?? null,
    exactMatch: s.qa?.exactMatch ?? null,
    f1: s.qa?.f1 ?? null,
    clozeAccuracy: s.cloze?.accuracy ?? null,
    judgeScore: s.judge?.rubricMean ?? null,
  };
}
