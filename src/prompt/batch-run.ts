// Batch prompt runs: every prompt row x every variant (template) x every target (base model or adapter), with
// seeded few-shot examples, one result row each. The same sampling seed is used for every cell so they compare.
import { InvalidConfigError } from "../errors.js";
import type { ChatFormat } from "./chat-format.js";
import { drawExamples, formatExamples, type FewShotPool } from "./few-shot.js";
import type { StopReason, TextGenerator } from "./generator.js";
import type { PromptRow, PromptVariant } from "./prompt-set.js";
import { resolveSampling, type SamplingInput } from "./sampling.js";
import { renderTemplate, templateVariables } from "./template.js";

/** A model to run the prompts on: the base model or the base with an adapter. */
export interface PromptTarget {
  /** Column label, e.g. "base" or the adapter's file name. */
  label: string;
  generator: TextGenerator;
}

export type PromptMode = "chat" | "completion";

export interface PromptRunOptions {
  rows: readonly PromptRow[];
  variants: readonly PromptVariant[];
  targets: readonly PromptTarget[];
  sampling?: SamplingInput;
  /** chat: the prompt is a user turn in the model's chat template; completion: the prompt is raw text. */
  mode: PromptMode;
  /** Needed in chat mode. */
  chatFormat?: ChatFormat;
  /** Where few-shot examples come from; needed when a variant asks for any. */
  examples?: FewShotPool;
  /** Called after each cell (for progress and streaming to a file). */
  onResult?: (result: PromptResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** One line of results.jsonl. */
export interface PromptResult {
  id: string;
  variant: string;
  target: string;
  model: string;
  mode: PromptMode;
  /** The prompt as sent (the user turn in chat mode), examples included. */
  prompt: string;
  system?: string;
  output: string;
  expected?: string;
  /** Ids of the few-shot examples drawn for this prompt. */
  examples: string[];
  stopReason: StopReason;
  promptTokens: number;
  completionTokens: number;
  durationMs: number;
  tokensPerSecond: number;
  seed: number;
}

/** Builds the prompt text of one row under one variant; exported for tests and for `--dry-run`. */
export function buildPrompt(
  row: PromptRow,
  rowIndex: number,
  variant: PromptVariant,
  pool: FewShotPool | undefined,
  seed: number,
): { prompt: string; exampleIds: string[] } {
  let exampleIds: string[] = [];
  let examplesText = "";
  if (variant.fewShot > 0) {
    if (!pool) {
      throw new InvalidConfigError({
        en: `variant "${variant.name}" asks for ${variant.fewShot} few-shot examples but no examples file was given. Add --examples <dataset.jsonl>.`,
        ko: `변형 "${variant.name}"에 퓨샷 예시 ${variant.fewShot}개가 필요하지만 예시 파일이 없습니다. --examples <dataset.jsonl>을 추가하세요.`,
      });
    }
    const own = row.vars.question ?? row.vars.text ?? row.vars.input ?? row.vars.prompt;
    const drawn = drawExamples(pool.examples, variant.fewShot, seed, rowIndex, own);
    exampleIds = drawn.map((e) => e.id);
    examplesText = formatExamples(drawn, variant.example);
  }
  const hasSlot = templateVariables(variant.template).includes("examples");
  const body = renderTemplate(variant.template, { ...row.vars, examples: examplesText }, { template: variant.name, row: row.id });
  return { prompt: hasSlot ? body : examplesText + body, exampleIds };
}

export async function runPrompts(options: PromptRunOptions): Promise<PromptResult[]> {
  const sampling = resolveSampling(options.sampling);
  if (options.mode === "chat" && !options.chatFormat) throw new Error("runPrompts: chat mode needs a chatFormat");
  const total = options.rows.length * options.variants.length * options.targets.length;
  const results: PromptResult[] = [];
  for (const [rowIndex, row] of options.rows.entries()) {
    for (const variant of options.variants) {
      const { prompt, exampleIds } = buildPrompt(row, rowIndex, variant, options.examples, sampling.seed);
      for (const target of options.targets) {
        if (options.signal?.aborted) return results;
        const request =
          options.mode === "chat"
            ? (() => {
                const rendered = options.chatFormat!.render([
                  ...(variant.system ? [{ role: "system" as const, content: variant.system }] : []),
                  { role: "user", content: prompt },
                ]);
                return { prompt: rendered.tokens, stopTriggers: rendered.stopTriggers };
              })()
            : { prompt: variant.system ? `${variant.system}\n\n${prompt}` : prompt };
        const generated = await target.generator.generate({ ...request, sampling, ...(options.signal ? { signal: options.signal } : {}) });
        const result: PromptResult = {
          id: row.id,
          variant: variant.name,
          target: target.label,
          model: target.generator.id,
          mode: options.mode,
          prompt,
          ...(variant.system !== undefined ? { system: variant.system } : {}),
          output: generated.text,
          ...(row.expected !== undefined ? { expected: row.expected } : {}),
          examples: exampleIds,
          stopReason: generated.stopReason,
          promptTokens: generated.promptTokens,
          completionTokens: generated.completionTokens,
          durationMs: Math.round(generated.durationMs),
          tokensPerSecond: Math.round(generated.tokensPerSecond * 10) / 10,
          seed: generated.seed,
        };
        results.push(result);
        options.onResult?.(result, results.length, total);
      }
    }
  }
  return results;
}
