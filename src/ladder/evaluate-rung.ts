// Scores one rung on the shared held-out set (suite items and held-out perplexity) and writes its eval.json.
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../data/io.js";
import type { HeldOutPerplexity } from "../eval/interfaces.js";
import type { Judge } from "../eval/judge.js";
import type { QaStyleSetting } from "../eval/qa-metrics.js";
import { runSuite, type SuiteItem, type SuiteResult } from "../eval/suite.js";
import type { EngineEvalBackend } from "./engine-eval.js";

export interface RungEval {
  rung: string;
  backend: string;
  seconds: number;
  perplexity: (HeldOutPerplexity & { note: string }) | null;
  summary: SuiteResult["summary"];
  skipped: SuiteResult["skipped"];
  items: SuiteResult["items"];
}

export interface EvaluateRungOptions {
  rung: string;
  /** Held-out text for perplexity; absent when the rung's model is the unchanged base (its perplexity is the baseline's). */
  heldOut?: string;
  judge?: Judge;
  /** QA rule setting, the same for every rung. */
  qaStyle: QaStyleSetting;
  file: string;
  onItem?: (done: number, total: number) => void;
}

export async function evaluateRung(backend: EngineEvalBackend, items: readonly SuiteItem[], options: EvaluateRungOptions): Promise<RungEval> {
  const started = performance.now();
  const result = await runSuite(backend.generator, backend.scorer, items, {
    qaStyle: options.qaStyle,
    ...(options.judge ? { judge: options.judge } : {}),
    onItem: (done, total) => options.onItem?.(done, total),
  });
  const measured = options.heldOut !== undefined ? await backend.scorer.perplexity(options.heldOut) : null;
  const perplexity = measured && { ...measured, note: `localtune engine, disjoint windows of ${measured.windowTokens} tokens over BOS + text` };
  const evaluation: RungEval = {
    rung: options.rung,
    backend: backend.scorer.backend,
    seconds: (performance.now() - started) / 1000,
    perplexity,
    summary: result.summary,
    skipped: result.skipped,
    items: result.items,
  };
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  writeFileAtomic(options.file, JSON.stringify(evaluation, null, 2) + "\n");
  return evaluation;
}
