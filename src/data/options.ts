// Settings of `data prepare`, validated with zod; the resolved settings are saved in manifest.json.
import { z } from "zod";
import { InvalidConfigError } from "../errors.js";

export const PrepareOptionsSchema = z.object({
  inputs: z.array(z.string()).min(1).describe("files and folders to read; folders are walked recursively").meta({ ko: "읽을 파일과 폴더 (폴더는 하위 폴더까지)" }),
  out: z.string().min(1).describe("dataset folder to write (created; replaced only with force)").meta({ ko: "만들 데이터셋 폴더 (force일 때만 교체)" }),
  model: z.string().optional().describe("GGUF model whose tokenizer counts tokens and whose chat template renders conversations; without it tokens are estimated and no tokenized cache is written").meta({ ko: "토큰을 세고 대화 템플릿을 적용할 GGUF 모델; 없으면 토큰 수를 추정하고 토큰 캐시를 쓰지 않음" }),
  include: z.array(z.string()).default([]).describe("globs (relative to each input folder) a file must match to be read").meta({ ko: "읽을 파일의 글롭 (입력 폴더 기준)" }),
  exclude: z.array(z.string()).default([]).describe("globs (relative to each input folder) of files to leave out").meta({ ko: "제외할 파일의 글롭 (입력 폴더 기준)" }),
  maxTokens: z.number().int().min(16).default(512).describe("largest chunk, in tokens").meta({ ko: "청크 최대 토큰 수" }),
  overlapTokens: z.number().int().min(0).default(64).describe("tokens repeated between consecutive chunks of one cut section").meta({ ko: "잘린 단락의 이웃 청크끼리 겹치는 토큰 수" }),
  nearDupThreshold: z.number().gt(0).max(1).default(0.8).describe("Jaccard similarity of character 5-shingle sets at or above which two texts are near-duplicates").meta({ ko: "문자 5-shingle 집합의 Jaccard 유사도가 이 값 이상이면 유사 중복" }),
  seed: z.number().int().default(42).describe("seed of the document-level train/val/test assignment").meta({ ko: "문서 단위 학습/검증/시험 분할의 시드" }),
  valRatio: z.number().min(0).max(0.5).default(0.05).describe("share of documents held out for validation").meta({ ko: "검증용 문서 비율" }),
  testRatio: z.number().min(0).max(0.5).default(0.05).describe("share of documents held out for testing").meta({ ko: "시험용 문서 비율" }),
  strict: z.boolean().default(false).describe("stop at the first bad file or record line instead of skipping it").meta({ ko: "잘못된 파일·줄을 건너뛰지 않고 처음 만난 곳에서 멈춤" }),
  csvPromptColumn: z.string().optional().describe("CSV column holding the user turn (else recognised: Q, question, prompt, instruction...)").meta({ ko: "사용자 차례(질문) CSV 열 (없으면 Q, question, prompt, instruction... 을 찾음)" }),
  csvResponseColumn: z.string().optional().describe("CSV column holding the assistant turn (else recognised: A, answer, response, output...)").meta({ ko: "어시스턴트 차례(답변) CSV 열 (없으면 A, answer, response, output... 을 찾음)" }),
  csvSystemColumn: z.string().optional().describe("CSV column holding a system prompt").meta({ ko: "시스템 프롬프트 CSV 열" }),
  systemPrompt: z.string().optional().describe("system prompt added to conversations that have none").meta({ ko: "시스템 프롬프트가 없는 대화에 넣을 프롬프트" }),
  chatTemplate: z.string().default("auto").describe('node-llama-cpp chat wrapper: "auto" (the model\'s own template) or a wrapper name such as chatML, llama3.1, qwen').meta({ ko: 'node-llama-cpp 대화 템플릿: "auto"(모델의 템플릿) 또는 chatML, llama3.1, qwen 같은 이름' }),
  force: z.boolean().default(false).describe("replace an existing dataset folder").meta({ ko: "기존 데이터셋 폴더 교체" }),
});
export type PrepareOptions = z.input<typeof PrepareOptionsSchema>;
export type ResolvedPrepareOptions = z.output<typeof PrepareOptionsSchema>;

export function resolvePrepareOptions(options: PrepareOptions): ResolvedPrepareOptions {
  const parsed = PrepareOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new InvalidConfigError({ en: `invalid data prepare options: ${detail}`, ko: `data prepare 옵션이 올바르지 않습니다: ${detail}` });
  }
  if (parsed.data.overlapTokens >= parsed.data.maxTokens) {
    throw new InvalidConfigError({
      en: `--overlap (${parsed.data.overlapTokens}) must be smaller than --max-tokens (${parsed.data.maxTokens}).`,
      ko: `--overlap(${parsed.data.overlapTokens})은 --max-tokens(${parsed.data.maxTokens})보다 작아야 합니다.`,
    });
  }
  return parsed.data;
}
