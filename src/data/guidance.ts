// Whether the prepared data is enough for each method of the ladder, with where every threshold comes from.
// The thresholds are rules of thumb taken from the papers that introduced or evaluated each method, not guarantees.
import type { DatasetStats, Guidance } from "./manifest.js";

type Verdict = Guidance["verdict"];

interface Rule {
  method: string;
  /** The number judged, from the stats. */
  measure: (s: DatasetStats) => number;
  unit: { en: string; ko: string };
  enough: number;
  minimal: number;
  basis: string;
  advice: Record<Verdict, { en: string; ko: string }>;
}

const fmt = (n: number) => n.toLocaleString("en-US");

const RULES: Rule[] = [
  {
    method: "rag",
    measure: (s) => s.splits.train.textRecords + s.splits.val.textRecords + s.splits.test.textRecords,
    unit: { en: "text chunks", ko: "텍스트 청크" },
    enough: 1,
    minimal: 1,
    basis: "Retrieval trains nothing (Lewis et al. 2020, RAG): any number of chunks can be indexed.",
    advice: {
      enough: { en: "ready to index; every chunk carries its citation.", ko: "색인할 수 있습니다. 모든 청크에 인용 정보가 있습니다." },
      minimal: { en: "ready to index.", ko: "색인할 수 있습니다." },
      "too-little": { en: "no document text: add documents (md, txt, pdf, docx, html).", ko: "문서 텍스트가 없습니다. 문서(md, txt, pdf, docx, html)를 추가하세요." },
      "not-applicable": { en: "", ko: "" },
    },
  },
  {
    method: "few-shot prompting",
    measure: (s) => s.splits.train.chatRecords,
    unit: { en: "training conversations", ko: "학습용 대화" },
    enough: 3,
    minimal: 1,
    basis: "In-context learning uses a handful of examples in the prompt (Brown et al. 2020 used up to a few dozen).",
    advice: {
      enough: { en: "enough examples to pick few-shot demonstrations from.", ko: "few-shot 예시를 고를 만큼 충분합니다." },
      minimal: { en: "one or two examples: usable as a one-shot demonstration.", ko: "예시가 한두 개입니다. one-shot 예시로 쓸 수 있습니다." },
      "too-little": { en: "no conversations: add Q/A pairs to have demonstrations.", ko: "대화가 없습니다. 예시로 쓸 질문/답변 쌍을 추가하세요." },
      "not-applicable": { en: "", ko: "" },
    },
  },
  {
    method: "prompt / prefix tuning",
    measure: (s) => s.splits.train.chatRecords,
    unit: { en: "training conversations", ko: "학습용 대화" },
    enough: 1000,
    minimal: 100,
    basis: "Li & Liang 2021 (prefix tuning) studied low-data runs of 50-500 examples, where it trailed full-data results; Lester et al. 2021 (prompt tuning) trained on SuperGLUE tasks of 250 to 100k+ examples.",
    advice: {
      enough: { en: "enough for prompt or prefix tuning.", ko: "프롬프트/프리픽스 튜닝에 충분합니다." },
      minimal: { en: "low-data regime: expect gains on format and style more than on knowledge.", ko: "적은 데이터 구간입니다. 지식보다 형식과 말투에서 효과를 기대하세요." },
      "too-little": { en: "too few conversations; use few-shot prompting or RAG, or collect more Q/A pairs.", ko: "대화가 너무 적습니다. few-shot 프롬프트나 RAG를 쓰거나 질문/답변을 더 모으세요." },
      "not-applicable": { en: "", ko: "" },
    },
  },
  {
    method: "BitFit",
    measure: (s) => s.splits.train.chatRecords,
    unit: { en: "training conversations", ko: "학습용 대화" },
    enough: 2500,
    minimal: 250,
    basis: "Ben Zaken et al. 2022 evaluated BitFit on GLUE, whose smallest task (RTE) has about 2,500 training examples, and found it competitive mainly for small to medium data.",
    advice: {
      enough: { en: "enough for BitFit.", ko: "BitFit에 충분합니다." },
      minimal: { en: "below the smallest size BitFit was evaluated on; results are uncertain.", ko: "BitFit이 평가된 가장 작은 크기보다 적습니다. 결과가 불확실합니다." },
      "too-little": { en: "too few conversations for BitFit.", ko: "BitFit에는 대화가 너무 적습니다." },
      "not-applicable": { en: "", ko: "" },
    },
  },
  {
    method: "LoRA (instruction tuning)",
    measure: (s) => s.splits.train.chatRecords,
    unit: { en: "training conversations", ko: "학습용 대화" },
    enough: 1000,
    minimal: 100,
    basis: "Zhou et al. 2023 (LIMA) aligned a model's style and format with 1,000 carefully curated examples.",
    advice: {
      enough: { en: "enough for LoRA instruction tuning if the examples are clean and varied.", ko: "예시가 깨끗하고 다양하다면 LoRA 지시 튜닝에 충분합니다." },
      minimal: { en: "enough to teach answer format and tone, not new knowledge; add RAG for facts.", ko: "답변 형식과 말투는 가르칠 수 있지만 새 지식은 어렵습니다. 사실은 RAG로 보완하세요." },
      "too-little": { en: "too few conversations for LoRA; use few-shot prompting or RAG.", ko: "LoRA에는 대화가 너무 적습니다. few-shot 프롬프트나 RAG를 쓰세요." },
      "not-applicable": { en: "", ko: "" },
    },
  },
  {
    method: "DAPT (continued pretraining)",
    measure: (s) => s.splits.train.textTokens,
    unit: { en: "training text tokens", ko: "학습용 텍스트 토큰" },
    enough: 1_000_000_000,
    minimal: 1_000_000,
    basis: "Gururangan et al. 2020 continued pretraining on 2.1B-8.1B-token domain corpora (DAPT); pretraining on just a task's own unlabelled text (TAPT, thousands of documents) also helped.",
    advice: {
      enough: { en: "domain-scale corpus: full DAPT is reasonable (check the time estimate first).", ko: "도메인 규모의 말뭉치입니다. 전체 DAPT를 고려할 만합니다 (먼저 시간 추정을 확인하세요)." },
      minimal: { en: "task-scale corpus (TAPT-like): prefer LoRA on the text stream; full DAPT risks forgetting.", ko: "과제 규모(TAPT 수준)의 말뭉치입니다. 텍스트에 LoRA를 권합니다. 전체 DAPT는 망각 위험이 있습니다." },
      "too-little": { en: "too little text for continued pretraining; use RAG over these documents.", ko: "계속 사전학습에는 텍스트가 너무 적습니다. 이 문서로 RAG를 쓰세요." },
      "not-applicable": { en: "", ko: "" },
    },
  },
];

/** One line per method; methods whose kind of data is absent entirely say so rather than "too little". */
export function buildGuidance(stats: DatasetStats): Guidance[] {
  const out: Guidance[] = RULES.map((rule) => {
    const value = rule.measure(stats);
    const verdict: Verdict = value >= rule.enough ? "enough" : value >= rule.minimal ? "minimal" : "too-little";
    const thresholds = rule.enough === rule.minimal ? `>= ${fmt(rule.enough)}` : `enough >= ${fmt(rule.enough)}, minimal >= ${fmt(rule.minimal)}`;
    const thresholdsKo = rule.enough === rule.minimal ? `${fmt(rule.enough)} 이상` : `충분 ${fmt(rule.enough)} 이상, 최소 ${fmt(rule.minimal)} 이상`;
    return {
      method: rule.method,
      verdict,
      measure: `${fmt(value)} ${rule.unit.en}`,
      en: `${fmt(value)} ${rule.unit.en} (${thresholds}): ${rule.advice[verdict].en}`,
      ko: `${rule.unit.ko} ${fmt(value)}개 (${thresholdsKo}): ${rule.advice[verdict].ko}`,
      basis: rule.basis,
    };
  });
  const heldOut = stats.splits.val.documents + stats.splits.test.documents;
  out.push({
    method: "evaluation",
    verdict: stats.splits.val.documents > 0 && stats.splits.test.documents > 0 ? "enough" : heldOut > 0 ? "minimal" : "too-little",
    measure: `${heldOut} held-out documents`,
    en: `val ${stats.splits.val.documents} / test ${stats.splits.test.documents} documents held out: ${heldOut > 0 ? "before/after comparisons use text the model never trained on." : "nothing held out; add documents or raise --val/--test to measure training."}`,
    ko: `검증 ${stats.splits.val.documents} / 시험 ${stats.splits.test.documents}개 문서를 떼어 두었습니다: ${heldOut > 0 ? "학습 전후 비교는 모델이 학습하지 않은 텍스트로 합니다." : "떼어 둔 데이터가 없습니다. 문서를 추가하거나 --val/--test를 늘려야 학습 효과를 잴 수 있습니다."}`,
    basis: "Splits are by document, so no part of a held-out document is trained on; near-duplicates across splits are removed.",
  });
  return out;
}
