// Prompt rows (prompts.jsonl) and prompt variants (templates to compare) for batch runs.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { FileNotFoundError, InvalidConfigError, PromptFileError } from "../errors.js";
import type { Lang } from "../i18n/index.js";
import { builtinTemplate, defaultExampleLayout, type PromptTemplate } from "./builtin-templates.js";
import { readJsonl } from "./jsonl.js";

export interface PromptRow {
  id: string;
  /** Template variables, NFC-normalised. */
  vars: Record<string, string>;
  /** The reference answer, when the file gives one: copied into results for evaluation. */
  expected?: string;
}

const RowSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional().describe("prompt id shown in tables; default p<line number>"),
    vars: z.record(z.string(), z.union([z.string(), z.number()])).optional().describe("template variables"),
    expected: z.string().optional().describe("reference answer, carried into results.jsonl"),
  })
  .catchall(z.union([z.string(), z.number()]).describe("any other string field is a template variable too"));

/**
 * Reads prompts.jsonl: one JSON object a line, e.g. `{"id": "q1", "question": "...", "context": "..."}` or
 * `{"id": "q1", "vars": {"question": "..."}, "expected": "..."}`. Every string field but id/expected is a variable.
 */
export function loadPromptRows(file: string): PromptRow[] {
  const seen = new Set<string>();
  const rows = readJsonl(file, "prompts file").map(({ line, value }) => {
    const parsed = RowSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PromptFileError(
        file,
        line,
        `bad prompt row (${issue?.path.join(".") || "row"}: ${issue?.message})`,
        'Each line is an object of string fields, e.g. {"id": "q1", "question": "...", "context": "..."}.',
        '각 줄은 문자열 필드로 된 객체여야 합니다. 예: {"id": "q1", "question": "...", "context": "..."}.',
      );
    }
    const { id, vars, expected, ...flat } = parsed.data;
    const all: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...flat, ...vars })) all[k] = String(v).normalize("NFC");
    const rowId = id === undefined ? `p${line}` : String(id);
    if (seen.has(rowId)) {
      throw new PromptFileError(file, line, `duplicate id "${rowId}"`, "Give every prompt its own id.", "프롬프트마다 다른 id를 쓰세요.");
    }
    seen.add(rowId);
    return { id: rowId, vars: all, ...(expected !== undefined ? { expected: expected.normalize("NFC") } : {}) };
  });
  if (rows.length === 0) {
    throw new PromptFileError(file, 1, "no prompts", "Write one JSON object per line.", "한 줄에 JSON 객체 하나씩 쓰세요.");
  }
  return rows;
}

/** One column of a comparison: a template (and its system prompt and few-shot count). */
export interface PromptVariant extends PromptTemplate {
  /** Few-shot examples to draw for each prompt (0 = none). */
  fewShot: number;
}

/** The variant used when none is given: the row's own `prompt` field, as is. */
export const RAW_VARIANT: PromptVariant = { name: "raw", template: "{{prompt}}", example: "Input: {{input}}\nOutput: {{output}}", fewShot: 0 };

/** A template from a --template value: a built-in name ("qa", "qa:ko") or a text file holding the template. */
export function resolveTemplateSpec(spec: string, lang: Lang, fewShot: number, system?: string): PromptVariant {
  const builtin = builtinTemplate(spec, lang);
  if (builtin) return { ...builtin, fewShot, ...(system !== undefined ? { system } : {}) };
  if (!fs.existsSync(spec)) {
    throw new InvalidConfigError({
      en: `--template "${spec}" is neither a built-in template (qa, summarise, classify, extract, optionally with :ko or :en) nor an existing file.`,
      ko: `--template "${spec}"은(는) 기본 템플릿(qa, summarise, classify, extract, 뒤에 :ko 또는 :en 가능)도 아니고 있는 파일도 아닙니다.`,
    });
  }
  return {
    name: path.basename(spec).replace(/\.(txt|md|tmpl)$/i, ""),
    template: fs.readFileSync(spec, "utf8").normalize("NFC").replace(/\s+$/, ""),
    example: defaultExampleLayout(lang),
    fewShot,
    ...(system !== undefined ? { system } : {}),
  };
}

const VariantSchema = z.object({
  name: z.string().min(1).describe("column name in the table and results"),
  template: z.string().min(1).describe('the template text, or a built-in name such as "qa:ko"'),
  system: z.string().optional().describe("system prompt for this variant"),
  fewShot: z.number().int().min(0).optional().describe("few-shot examples per prompt (default: --few-shot)"),
  example: z.string().optional().describe("layout of one example, with {{input}} and {{output}}"),
});

/** Reads variants.jsonl: `{"name": "short", "template": "...", "system": "...", "fewShot": 2}` per line. */
export function loadVariants(file: string, lang: Lang, defaultFewShot: number): PromptVariant[] {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "variants file");
  return readJsonl(file, "variants file").map(({ line, value }) => {
    const parsed = VariantSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PromptFileError(
        file,
        line,
        `bad variant (${issue?.path.join(".") || "row"}: ${issue?.message})`,
        'Each line is {"name": ..., "template": ..., "system"?: ..., "fewShot"?: ..., "example"?: ...}.',
        '각 줄은 {"name": ..., "template": ..., "system"?: ..., "fewShot"?: ..., "example"?: ...} 형식이어야 합니다.',
      );
    }
    const v = parsed.data;
    const builtin = builtinTemplate(v.template, lang);
    return {
      name: v.name,
      template: builtin ? builtin.template : v.template.normalize("NFC"),
      example: v.example ?? builtin?.example ?? defaultExampleLayout(lang),
      fewShot: v.fewShot ?? defaultFewShot,
      ...(v.system !== undefined ? { system: v.system.normalize("NFC") } : {}),
    };
  });
}
