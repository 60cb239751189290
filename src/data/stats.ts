// `data stats`: reads a dataset folder's stats.json and manifest.json and prints them, with the guidance lines,
// in English or Korean.
import fs from "node:fs";
import path from "node:path";
import { InvalidDatasetError } from "../errors.js";
import { getLang, type Lang } from "../i18n/index.js";
import { ManifestSchema, StatsSchema, type DatasetStats, type Manifest } from "./manifest.js";
import { SPLIT_NAMES } from "./schema.js";

export interface DatasetSummary {
  dir: string;
  stats: DatasetStats;
  manifest: Manifest;
}

export function readDatasetStats(dir: string): DatasetSummary {
  const read = <T>(file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): T => {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) {
      throw new InvalidDatasetError({
        en: `${dir} is not a prepared dataset: ${file} is missing. Run \`localtune data prepare <inputs...> --out ${dir}\` first.`,
        ko: `${dir}은(는) 준비된 데이터셋이 아닙니다: ${file}이(가) 없습니다. 먼저 \`localtune data prepare <입력...> --out ${dir}\`을 실행하세요.`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(full, "utf8"));
    } catch (error) {
      throw new InvalidDatasetError({ en: `${full} is not valid JSON (${(error as Error).message}); prepare the dataset again.`, ko: `${full}이(가) 올바른 JSON이 아닙니다 (${(error as Error).message}). 데이터셋을 다시 준비하세요.` });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidDatasetError({ en: `${full} does not match the dataset format (${parsed.error.message}); prepare the dataset again.`, ko: `${full}이(가) 데이터셋 형식과 맞지 않습니다 (${parsed.error.message}). 데이터셋을 다시 준비하세요.` });
    }
    return parsed.data;
  };
  return { dir, stats: read("stats.json", StatsSchema), manifest: read("manifest.json", ManifestSchema) };
}

const T = {
  en: {
    title: "Dataset", tokenizer: "tokens counted with", estimated: "(estimated: no --model was given; counts are approximate)",
    split: "split", records: "records", docs: "documents", tokens: "tokens", trainable: "trainable", text: "text", chat: "chat",
    sources: "sources read", skipped: "skipped", removed: "removed", docExact: "duplicate documents (exact)", docNear: "near-duplicate documents",
    chunkExact: "duplicate chunks (exact)", chunkNear: "near-duplicate chunks", cross: "near-duplicates across splits", template: "conversations the chat template could not mask",
    threshold: "near-duplicate threshold: Jaccard >= {t} on character 5-shingles (MinHash, 128 bins, LSH 16x8)",
    langs: "languages", hist: "record length (tokens)", guidance: "Is the data enough?", basis: "basis", skippedList: "skipped files and lines",
    verdict: { enough: "enough", minimal: "minimal", "too-little": "too little", "not-applicable": "n/a" },
  },
  ko: {
    title: "데이터셋", tokenizer: "토큰 계산", estimated: "(추정치: --model을 주지 않아 대략적인 값입니다)",
    split: "분할", records: "레코드", docs: "문서", tokens: "토큰", trainable: "학습 대상", text: "텍스트", chat: "대화",
    sources: "읽은 파일", skipped: "건너뜀", removed: "제거", docExact: "중복 문서 (완전 일치)", docNear: "유사 중복 문서",
    chunkExact: "중복 청크 (완전 일치)", chunkNear: "유사 중복 청크", cross: "분할 간 유사 중복", template: "대화 템플릿으로 마스크를 만들 수 없는 대화",
    threshold: "유사 중복 기준: 문자 5-그램 Jaccard {t} 이상 (MinHash 128칸, LSH 16x8)",
    langs: "언어", hist: "레코드 길이 (토큰)", guidance: "데이터가 충분한가요?", basis: "근거", skippedList: "건너뛴 파일과 줄",
    verdict: { enough: "충분", minimal: "최소", "too-little": "부족", "not-applicable": "해당 없음" },
  },
};

const SPLIT_LABEL: Record<Lang, Record<string, string>> = { en: { train: "train", val: "val", test: "test" }, ko: { train: "학습", val: "검증", test: "시험" } };

/** The human-readable report of a dataset, in the current language. */
export function formatDatasetStats(summary: DatasetSummary, lang: Lang = getLang()): string {
  const t = T[lang];
  const { stats, manifest } = summary;
  const n = (x: number) => x.toLocaleString("en-US");
  const out: string[] = [];
  out.push(`${t.title}: ${summary.dir}`);
  out.push(`${t.tokenizer}: ${stats.tokenizer.description}${stats.tokenizer.kind === "estimate" ? ` ${t.estimated}` : ""}`);
  out.push("");
  out.push(`${t.split.padEnd(6)} ${t.records.padStart(9)} ${t.docs.padStart(9)} ${t.tokens.padStart(12)} ${t.text.padStart(12)} ${t.chat.padStart(12)}${stats.splits.train.trainableTokens !== undefined ? ` ${t.trainable.padStart(12)}` : ""}`);
  for (const s of SPLIT_NAMES) {
    const x = stats.splits[s];
    out.push(`${SPLIT_LABEL[lang][s]!.padEnd(6)} ${n(x.records).padStart(9)} ${n(x.documents).padStart(9)} ${n(x.tokens).padStart(12)} ${n(x.textTokens).padStart(12)} ${n(x.chatTokens).padStart(12)}${x.trainableTokens !== undefined ? ` ${n(x.trainableTokens).padStart(12)}` : ""}`);
  }
  out.push("");
  out.push(`${t.sources}: ${n(stats.sources.read)} (${(stats.sources.bytes / 1e6).toFixed(2)} MB), ${t.skipped}: ${n(stats.sources.skipped)}`);
  out.push(`${t.removed}: ${t.docExact} ${n(stats.documents.exactDuplicates)}, ${t.docNear} ${n(stats.documents.nearDuplicates)}, ${t.chunkExact} ${n(stats.chunks.exactDuplicates)}, ${t.chunkNear} ${n(stats.chunks.nearDuplicates)}, ${t.cross} ${n(stats.chunks.crossSplit)}${stats.chunks.templateFailures ? `, ${t.template} ${n(stats.chunks.templateFailures)}` : ""}`);
  out.push(t.threshold.replace("{t}", String(stats.nearDupThreshold)));
  out.push(`${t.langs}: ${Object.entries(stats.languages).map(([k, v]) => `${k} ${n(v)}`).join(", ")}`);
  out.push(`${t.hist}:`);
  const peak = Math.max(1, ...stats.lengthHistogram.map((b) => b.count));
  for (const b of stats.lengthHistogram) {
    const label = b.max === null ? `${b.min}+` : `${b.min}-${b.max - 1}`;
    out.push(`  ${label.padStart(10)} ${"#".repeat(Math.round((30 * b.count) / peak)).padEnd(30)} ${n(b.count)}`);
  }
  if (manifest.skipped.length) {
    out.push(`${t.skippedList}:`);
    for (const s of manifest.skipped.slice(0, 20)) out.push(`  ${s.source}${s.line ? `:${s.line}` : ""} [${s.reason}] ${s.message}`);
    if (manifest.skipped.length > 20) out.push(`  ... +${manifest.skipped.length - 20} (manifest.json)`);
  }
  out.push("");
  out.push(`${t.guidance}`);
  for (const g of stats.guidance) {
    out.push(`  [${t.verdict[g.verdict]}] ${g.method}: ${g[lang]}`);
    out.push(`      ${t.basis}: ${g.basis}`);
  }
  return out.join("\n");
}
