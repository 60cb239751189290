// A flag's text turned into its value by the option's own zod schema field: the text becomes the field's type
// (number, list, string) and the schema decides what is valid, so a flag accepts exactly what the API accepts. A
// rejected value says what was expected (read from the schema's complaint), what was given, and an example to give.
import type { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import type { Bilingual } from "../i18n/index.js";
import type { OptionField } from "../methods/option-fields.js";

/** A command-line flag's value that its option's schema rejects. */
export class InvalidFlagValueError extends InvalidConfigError {
  constructor(
    readonly flag: string,
    readonly value: string,
    expected: Bilingual,
    example: string | undefined,
  ) {
    super({
      en: `${flag} expects ${expected.en}, got "${value}".${example ? ` Example: ${flag} ${example}` : ""}`,
      ko: `${flag}에는 ${expected.ko}이(가) 필요하지만 "${value}"이(가) 주어졌습니다.${example ? ` 예: ${flag} ${example}` : ""}`,
    });
  }
}

/** What a flag's text becomes before the schema sees it: numbers for number fields, a list for list fields. */
function typed(field: OptionField, text: string): unknown {
  if (field.kind === "integer" || field.kind === "number") return text.trim() === "" ? Number.NaN : Number(text);
  if (field.kind === "string-list") return text.split(",").map((s) => s.trim()).filter(Boolean);
  return text;
}

/**
 * Parser for one flag (commander calls it with the raw text). `perElement`: each text is one whole element of a list,
 * added to the ones before: a variadic flag's words (`--data a b`) or a repeated flag (`--stop a --stop b`).
 */
export function flagParser(flag: string, field: OptionField, schema: z.ZodType, perElement: boolean): (text: string, previous: unknown) => unknown {
  return (text, previous) => {
    const value = perElement ? [...((previous as unknown[] | undefined) ?? []), text] : typed(field, text);
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new InvalidFlagValueError(flag, text, expectation(field, parsed.error.issues[0], perElement), example(field));
  };
}

/** The value the schema wanted, in words, from the kind of field and the schema's first complaint. */
function expectation(field: OptionField, issue: z.core.$ZodIssue | undefined, perElement: boolean): Bilingual {
  const choices = field.choices?.join(" | ");
  if (field.kind === "enum") return { en: `one of ${choices}`, ko: `${choices} 중 하나` };
  const kind: Bilingual =
    field.kind === "integer" ? { en: "an integer", ko: "정수" }
    : field.kind === "number" ? { en: "a number", ko: "숫자" }
    : field.kind === "string-list" && !perElement ? { en: "a comma-separated list", ko: "쉼표로 구분한 목록" }
    : field.kind === "string-list" || field.kind === "string" ? { en: "a text", ko: "문자열" }
    : { en: "a value", ko: "값" };
  if (issue?.code === "too_small" && issue.origin === "string" && issue.minimum === 1) return { en: "a non-empty text", ko: "비어 있지 않은 문자열" };
  if (issue?.code === "invalid_value" && "values" in issue) {
    // A list element outside the element's choices.
    const values = issue.values.map(String).join(" | ");
    return { en: `${kind.en} of ${values}`, ko: `${values} 중에서 고른 ${kind.ko}` };
  }
  if (issue?.code === "too_small" || issue?.code === "too_big") {
    const bound = String(issue.code === "too_small" ? issue.minimum : issue.maximum);
    if (issue.origin === "number") {
      const small = issue.code === "too_small";
      const en = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
      const ko = small ? (issue.inclusive ? `${bound} 이상의` : `${bound}보다 큰`) : issue.inclusive ? `${bound} 이하의` : `${bound}보다 작은`;
      return { en: `${kind.en} ${en} ${bound}`, ko: `${ko} ${kind.ko}` };
    }
    const count = issue.code === "too_small" ? { en: `at least ${bound}`, ko: `${bound}개 이상` } : { en: `at most ${bound}`, ko: `${bound}개 이하` };
    const unit = issue.origin === "string" ? { en: "characters", ko: "글자" } : { en: "items", ko: "항목" };
    return { en: `${kind.en} of ${count.en} ${unit.en}`, ko: `${unit.ko} ${count.ko}의 ${kind.ko}` };
  }
  return kind;
}

/** A value to show in the message: the default, else the smallest allowed, else nothing. */
function example(field: OptionField): string | undefined {
  if (field.default !== undefined && typeof field.default !== "object") return String(field.default);
  if (Array.isArray(field.default) && field.default.length > 0) return field.default.join(",");
  if (field.kind === "enum") return field.choices?.[0];
  if (field.kind === "integer") return String(Math.max(field.minimum ?? 1, 1));
  return undefined;
}
