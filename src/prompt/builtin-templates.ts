// Built-in prompt templates (question answering, summarising, classifying, extracting), in Korean and English.
// `{{examples}}` marks where few-shot examples go; each example is laid out by the template's `example` line.
import { InvalidConfigError } from "../errors.js";
import type { Lang } from "../i18n/index.js";

export interface PromptTemplate {
  /** Name shown in tables and results, e.g. "qa:ko". */
  name: string;
  /** The prompt, with `{{variable}}` placeholders and an optional `{{examples}}` slot. */
  template: string;
  /** How one few-shot example is written, with `{{input}}` and `{{output}}`. */
  example: string;
  /** System prompt sent with the template in chat mode (and put before it in completion mode). */
  system?: string;
}

type BuiltinName = "qa" | "summarise" | "classify" | "extract";

const BUILTINS: Record<BuiltinName, Record<Lang, Omit<PromptTemplate, "name">>> = {
  qa: {
    en: {
      template: "Answer the question using only the context.\n\n{{examples}}Context: {{context}}\nQuestion: {{question}}\nAnswer:",
      example: "Question: {{input}}\nAnswer: {{output}}",
    },
    ko: {
      template: "주어진 내용만 참고하여 질문에 답하세요.\n\n{{examples}}내용: {{context}}\n질문: {{question}}\n답변:",
      example: "질문: {{input}}\n답변: {{output}}",
    },
  },
  summarise: {
    en: { template: "Summarise the text in one or two sentences.\n\n{{examples}}Text: {{text}}\nSummary:", example: "Text: {{input}}\nSummary: {{output}}" },
    ko: { template: "다음 글을 한두 문장으로 요약하세요.\n\n{{examples}}글: {{text}}\n요약:", example: "글: {{input}}\n요약: {{output}}" },
  },
  classify: {
    en: {
      template: "Classify the text as one of: {{labels}}. Reply with the label only.\n\n{{examples}}Text: {{text}}\nLabel:",
      example: "Text: {{input}}\nLabel: {{output}}",
    },
    ko: {
      template: "다음 글을 {{labels}} 중 하나로 분류하세요. 분류 이름만 답하세요.\n\n{{examples}}글: {{text}}\n분류:",
      example: "글: {{input}}\n분류: {{output}}",
    },
  },
  extract: {
    en: {
      template: "Extract {{fields}} from the text. Reply with one JSON object.\n\n{{examples}}Text: {{text}}\nJSON:",
      example: "Text: {{input}}\nJSON: {{output}}",
    },
    ko: {
      template: "다음 글에서 {{fields}}을(를) 뽑아 JSON 객체 하나로 답하세요.\n\n{{examples}}글: {{text}}\nJSON:",
      example: "글: {{input}}\nJSON: {{output}}",
    },
  },
};

/** Names accepted by builtinTemplate, e.g. for --help. */
export const BUILTIN_TEMPLATE_NAMES = Object.keys(BUILTINS) as BuiltinName[];

/** A built-in template by name: "qa", "qa:ko", "summarise:en"... A bare name takes `lang`. */
export function builtinTemplate(spec: string, lang: Lang): PromptTemplate | undefined {
  const [name, suffix] = spec.split(":") as [string, string | undefined];
  const resolvedName = name === "summarize" ? "summarise" : name;
  if (!(resolvedName in BUILTINS)) return undefined;
  if (suffix !== undefined && suffix !== "ko" && suffix !== "en") {
    throw new InvalidConfigError({
      en: `built-in template "${spec}": the language after ":" must be ko or en, got "${suffix}".`,
      ko: `기본 템플릿 "${spec}": ":" 뒤의 언어는 ko 또는 en이어야 하지만 "${suffix}"입니다.`,
    });
  }
  const chosen = suffix ?? lang;
  return { name: `${resolvedName}:${chosen}`, ...BUILTINS[resolvedName as BuiltinName][chosen] };
}

/** The example layout for user templates, in the user's language. */
export function defaultExampleLayout(lang: Lang): string {
  return lang === "ko" ? "입력: {{input}}\n출력: {{output}}" : "Input: {{input}}\nOutput: {{output}}";
}
