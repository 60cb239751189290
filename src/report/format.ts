// Number formatting and the bilingual labels shared by the Markdown and HTML reports.
import { msg, type Lang } from "../i18n/index.js";
import type { MethodResult, ReportInput } from "./schema.js";

export const DASH = "–";

/** 0, 950, 12.3K, 4.50M, 1.20B: trainable parameter counts span nine orders of magnitude. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  for (const [size, suffix] of [[1e9, "B"], [1e6, "M"], [1e3, "K"]] as const) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${suffix}`;
    }
  }
  return String(n);
}

/** 0 s, 42.0 s, 3m 05s, 2h 03m. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0 s";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Bytes in MiB below 1 GiB, else GiB. */
export function formatBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib < 1024 ? `${mib.toFixed(1)} MiB` : `${(mib / 1024).toFixed(2)} GiB`;
}

export const fixed = (digits: number) => (x: number | null) => (x === null ? DASH : x.toFixed(digits));

export interface Column {
  key: string;
  label: Record<Lang, string>;
  value: (run: MethodResult) => string;
}

/** The report table's columns, in order. */
export const COLUMNS: readonly Column[] = [
  { key: "method", label: { en: "method", ko: "방법" }, value: (r) => r.label ?? r.method },
  { key: "params", label: { en: "trainable params", ko: "학습 파라미터" }, value: (r) => formatCount(r.trainableParams) },
  { key: "time", label: { en: "train time", ko: "학습 시간" }, value: (r) => formatDuration(r.trainSeconds) },
  { key: "tps", label: { en: "tokens/s", ko: "토큰/초" }, value: (r) => fixed(0)(r.tokensPerSecond) },
  { key: "memory", label: { en: "peak memory", ko: "최대 메모리" }, value: (r) => (r.peakMemoryBytes === null ? DASH : formatBytes(r.peakMemoryBytes)) },
  { key: "ppl", label: { en: "perplexity", ko: "퍼플렉서티" }, value: (r) => fixed(2)(r.perplexity) },
  { key: "em", label: { en: "EM", ko: "EM" }, value: (r) => fixed(1)(r.exactMatch) },
  { key: "f1", label: { en: "F1", ko: "F1" }, value: (r) => fixed(1)(r.f1) },
  { key: "cloze", label: { en: "cloze acc.", ko: "빈칸 정확도" }, value: (r) => fixed(1)(r.clozeAccuracy) },
  { key: "judge", label: { en: "judge", ko: "심판 점수" }, value: (r) => fixed(2)(r.judgeScore) },
];

export const TEXT = {
  title: { en: "localtune method ladder report", ko: "localtune 방법 사다리 보고서" },
  results: { en: "Results", ko: "결과" },
  environment: { en: "Machine, versions and seeds", ko: "머신, 버전, 시드" },
  charts: { en: "Charts", ko: "차트" },
  lossCurves: { en: "Training loss", ko: "학습 손실" },
  qualityVsTime: { en: "{metric} against training time", ko: "학습 시간에 따른 {metric}" },
  qualityVsParams: { en: "{metric} against trainable parameters", ko: "학습 파라미터 수에 따른 {metric}" },
  memory: { en: "Peak memory", ko: "최대 메모리" },
  step: { en: "step", ko: "스텝" },
  loss: { en: "loss", ko: "손실" },
  seconds: { en: "training time, s (log scale)", ko: "학습 시간, 초 (로그 눈금)" },
  params: { en: "trainable parameters (log scale)", ko: "학습 파라미터 수 (로그 눈금)" },
  noData: { en: "no data", ko: "데이터 없음" },
  legendNote: {
    en: "Percent columns are 0-100; perplexity is lower-is-better; – means not measured.",
    ko: "백분율 열은 0-100, 퍼플렉서티는 낮을수록 좋으며, –는 측정하지 않았음을 뜻합니다.",
  },
  notes: { en: "Notes", ko: "비고" },
  machine: { en: "machine", ko: "머신" },
  versions: { en: "versions", ko: "버전" },
  seeds: { en: "seeds", ko: "시드" },
  model: { en: "base model", ko: "기반 모델" },
  data: { en: "data", ko: "데이터" },
  evalSuite: { en: "evaluation suite", ko: "평가 세트" },
  budget: { en: "budget per method", ko: "방법별 예산" },
  createdAt: { en: "produced", ko: "생성 시각" },
  threads: { en: "{n} threads", ko: "스레드 {n}개" },
} as const;

export type QualityKey = "clozeAccuracy" | "f1" | "exactMatch" | "judgeScore";

export const QUALITY_LABEL: Record<QualityKey, Record<Lang, string>> = {
  clozeAccuracy: { en: "cloze accuracy (%)", ko: "빈칸 정확도 (%)" },
  f1: { en: "QA F1 (%)", ko: "QA F1 (%)" },
  exactMatch: { en: "QA exact match (%)", ko: "QA 정확 일치 (%)" },
  judgeScore: { en: "judge score (1-5)", ko: "심판 점수 (1-5)" },
};

/** The quality metric the charts plot: the first of cloze, F1, EM, judge that some run has. */
export function pickQualityMetric(runs: readonly MethodResult[]): QualityKey | null {
  for (const key of ["clozeAccuracy", "f1", "exactMatch", "judgeScore"] as const) {
    if (runs.some((r) => r[key] !== null)) return key;
  }
  return null;
}

/** Lines describing the environment: [label, value]. */
export function environmentRows(env: ReportInput["environment"], lang: Lang): Array<[string, string]> {
  const m = env.machine;
  const machine = [m.cpu, m.threads !== undefined ? msg(TEXT.threads, { n: m.threads }, lang) : undefined, m.ramBytes !== undefined ? `${formatBytes(m.ramBytes)} RAM` : undefined, m.gpu, m.os]
    .filter((x): x is string => x !== undefined)
    .join(", ");
  const rows: Array<[string, string]> = [[TEXT.machine[lang], machine]];
  for (const key of ["model", "data", "evalSuite", "budget", "createdAt"] as const) {
    const value = env[key];
    if (value !== undefined) rows.push([TEXT[key][lang], value]);
  }
  rows.push([TEXT.versions[lang], Object.entries(env.versions).map(([k, v]) => `${k} ${v}`).join(", ")]);
  rows.push([TEXT.seeds[lang], Object.entries(env.seeds).map(([k, v]) => `${k}=${v}`).join(", ")]);
  return rows;
}
