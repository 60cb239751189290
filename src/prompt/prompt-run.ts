// `prompts run` as one function: load prompts, variants and examples, open the model once, run every prompt x
// variant x target, write results.jsonl atomically. The server and the CLI share it.
import { InvalidConfigError } from "../errors.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { getLang, type Lang } from "../i18n/index.js";
import { runPrompts, type PromptMode, type PromptResult } from "./batch-run.js";
import { loadFewShotPool, type FewShotPool } from "./few-shot.js";
import { modelNameOf, type AdapterSpec, type LlamaHostOptions } from "./llama-generator.js";
import { ModelHost } from "./model-host.js";
import { loadPromptRows, loadVariants, RAW_VARIANT, resolveTemplateSpec, type PromptVariant } from "./prompt-set.js";
import { writeResultsJsonl } from "./results-table.js";
import type { SamplingInput } from "./sampling.js";

export interface PromptFileRunOptions extends LlamaHostOptions {
  model: string;
  /** prompts.jsonl */
  prompts: string;
  /** results.jsonl to write (atomically, after the last cell). */
  out?: string;
  /** --template values: built-in names or template files; one variant each. */
  templates?: string[];
  /** variants.jsonl, one variant a line. */
  variantsFile?: string;
  /** Each adapter is its own target column, beside the base model (LoRA on node-llama-cpp, prompt tuning etc. on the engine). */
  adapters?: AdapterSpec[];
  /** Leave the base model out of the comparison (only when adapters are given). */
  skipBase?: boolean;
  examples?: string;
  fewShot?: number;
  system?: string;
  /** auto: chat when the model has a chat template, completion otherwise. */
  mode?: PromptMode | "auto";
  /** Language of built-in templates given without :ko / :en. Default: the message language. */
  templateLang?: Lang;
  sampling?: SamplingInput;
  onResult?: (result: PromptResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PromptFileRunResult {
  results: PromptResult[];
  mode: PromptMode;
  /** False when chat mode used the plain fallback layout (the model has no chat template). */
  chatTemplateFromModel?: boolean;
  examples?: Pick<FewShotPool, "file" | "skipped"> & { count: number };
}

export async function runPromptFile(options: PromptFileRunOptions): Promise<PromptFileRunResult> {
  const lang = options.templateLang ?? getLang();
  const fewShot = options.fewShot ?? 0;
  // Checked before the model runs: results.jsonl must not replace the prompts or any other input file.
  if (options.out) {
    const inputs = [options.prompts, options.variantsFile, options.examples, options.model, ...(options.templates ?? []), ...(options.adapters ?? []).map((a) => a.path)];
    assertOutputIsNotInput({ path: options.out, kind: "file" }, inputs);
  }
  const rows = loadPromptRows(options.prompts);
  const variants: PromptVariant[] = [
    ...(options.templates ?? []).map((spec) => resolveTemplateSpec(spec, lang, fewShot, options.system)),
    ...(options.variantsFile ? loadVariants(options.variantsFile, lang, fewShot) : []),
  ];
  if (variants.length === 0) variants.push({ ...RAW_VARIANT, fewShot, ...(options.system !== undefined ? { system: options.system } : {}) });
  const names = variants.map((v) => v.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) {
    throw new InvalidConfigError({ en: `two variants are named "${repeated}"; give each a distinct name.`, ko: `변형 두 개의 이름이 "${repeated}"로 같습니다. 이름을 다르게 하세요.` });
  }
  const adapters = options.adapters ?? [];
  if (options.skipBase && adapters.length === 0) {
    throw new InvalidConfigError({ en: "--no-base leaves nothing to run: add --adapter.", ko: "--no-base만 주면 실행할 대상이 없습니다. --adapter를 추가하세요." });
  }
  const pool = options.examples ? loadFewShotPool(options.examples) : undefined;

  const host = await ModelHost.open(options.model, options);
  try {
    const targets = [
      ...(options.skipBase ? [] : [{ label: "base", generator: await host.generator() }]),
      ...(await Promise.all(adapters.map(async (a) => ({ label: modelNameOf(a.path), generator: await host.generator([a]) })))),
    ];
    const format = host.chatFormat();
    const mode: PromptMode = options.mode === "chat" || options.mode === "completion" ? options.mode : format.fromModel ? "chat" : "completion";
    const results = await runPrompts({
      rows,
      variants,
      targets,
      mode,
      chatFormat: format,
      ...(pool ? { examples: pool } : {}),
      ...(options.sampling ? { sampling: options.sampling } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.out) writeResultsJsonl(options.out, results);
    return {
      results,
      mode,
      ...(mode === "chat" ? { chatTemplateFromModel: format.fromModel } : {}),
      ...(pool ? { examples: { file: pool.file, skipped: pool.skipped, count: pool.examples.length } } : {}),
    };
  } finally {
    await host.dispose();
  }
}
