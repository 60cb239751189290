// The eval result as a small two-column text table (metric, value) in English or Korean.
import type { Lang } from "../i18n/index.js";
import type { EvalReport } from "./evaluate.js";
import { QA_STYLE_NAMES, type QaStyle, type QaStyleSetting } from "./qa-metrics.js";

const LABELS = {
  perplexity: { en: "perplexity (held-out)", ko: "퍼플렉서티 (평가용 텍스트)" },
  qaEm: { en: "QA exact match", ko: "QA 정확 일치(EM)" },
  qaF1: { en: "QA F1", ko: "QA F1" },
  qaContains: { en: "QA contains answer", ko: "QA 정답 포함" },
  qaRouge: { en: "QA ROUGE-L", ko: "QA ROUGE-L" },
  qaRules: { en: "QA scored with", ko: "QA 채점 규칙" },
  cloze: { en: "cloze accuracy", ko: "빈칸 채우기 정확도" },
  mc: { en: "multiple choice accuracy", ko: "객관식 정확도" },
  mcNorm: { en: "multiple choice accuracy (length-normalised)", ko: "객관식 정확도 (길이 정규화)" },
  rubric: { en: "judge rubric score (1-5)", ko: "심판 루브릭 점수 (1-5)" },
  pairwise: { en: "judge pairwise score vs baseline", ko: "심판 쌍대 비교 점수 (기준 대비)" },
  skipped: { en: "skipped items", ko: "건너뛴 항목" },
} as const;

const pct = (x: number) => `${x.toFixed(1)}%`;

/**
 * Which official rules scored a suite's QA items, e.g. "KorQuAD v1.0 (auto: Hangul in the question or context)" or,
 * for a mixed suite under auto, "SQuAD v1.1 for 3, KorQuAD v1.0 for 2 (auto, by each question's language)".
 */
export function qaRulesLabel(style: QaStyleSetting, rules: Record<QaStyle, number>, lang: Lang): string {
  const used = (["squad", "korquad"] as const).filter((s) => rules[s] > 0);
  if (used.length === 2) {
    const parts = used.map((s) => (lang === "ko" ? `${QA_STYLE_NAMES[s]} ${rules[s]}개` : `${QA_STYLE_NAMES[s]} for ${rules[s]}`)).join(", ");
    return lang === "ko" ? `${parts} (auto: 문항마다 질문·지문 언어로 결정)` : `${parts} (auto, by each question's language)`;
  }
  const name = QA_STYLE_NAMES[used[0] ?? "squad"];
  if (style !== "auto") return lang === "ko" ? `${name} (지정)` : `${name} (set)`;
  const why = used[0] === "korquad" ? { en: "Hangul in the questions or contexts", ko: "질문·지문에 한글" } : { en: "no Hangul in the questions or contexts", ko: "질문·지문에 한글 없음" };
  return `${name} (auto: ${why[lang]})`;
}

/** Rows of [label, value, count note]. */
export function evalTableRows(report: EvalReport, lang: Lang): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const s = report.summary;
  const n = (count: number) => (lang === "ko" ? ` (${count}개)` : ` (n=${count})`);
  if (report.perplexity) rows.push([LABELS.perplexity[lang], `${report.perplexity.perplexity.toFixed(3)}${n(report.perplexity.tokens)}`]);
  if (s.qa) {
    rows.push([LABELS.qaEm[lang], pct(s.qa.exactMatch) + n(s.qa.items)]);
    rows.push([LABELS.qaF1[lang], pct(s.qa.f1)]);
    rows.push([LABELS.qaContains[lang], pct(s.qa.containsAnswer)]);
    rows.push([LABELS.qaRouge[lang], pct(s.qa.rougeL)]);
    rows.push([LABELS.qaRules[lang], qaRulesLabel(s.qa.style, s.qa.rules, lang)]);
  }
  if (s.cloze) rows.push([LABELS.cloze[lang], pct(s.cloze.accuracy) + n(s.cloze.items)]);
  if (s.mc) {
    rows.push([LABELS.mc[lang], pct(s.mc.accuracy) + n(s.mc.items)]);
    rows.push([LABELS.mcNorm[lang], pct(s.mc.accuracyNorm)]);
  }
  if (s.judge?.rubricMean != null) rows.push([LABELS.rubric[lang], s.judge.rubricMean.toFixed(2) + n(s.judge.rubricItems)]);
  if (s.judge?.pairwiseScore != null) rows.push([LABELS.pairwise[lang], pct(s.judge.pairwiseScore) + n(s.judge.pairwiseItems)]);
  if (report.skipped.length > 0) rows.push([LABELS.skipped[lang], report.skipped.map((x) => `${x.id} (${x.reason})`).join(", ")]);
  return rows;
}

/** Display width: Hangul and other wide characters take two columns in a terminal. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

export function formatEvalTable(report: EvalReport, lang: Lang): string {
  const rows = evalTableRows(report, lang);
  const labelWidth = Math.max(...rows.map(([label]) => width(label)), 0);
  return rows.map(([label, value]) => `${label}${" ".repeat(labelWidth - width(label))}  ${value}`).join("\n");
}
