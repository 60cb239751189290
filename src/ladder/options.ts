// Options of `localtune ladder` (and of the demo, which fills them with the embedded defaults): one zod schema.
import { z } from "zod";
import { QA_STYLE_SETTINGS } from "../eval/qa-metrics.js";
import { InvalidConfigError } from "../errors.js";
import { PrecisionSchema } from "../engine/product-precision.js";

export const LadderOptionsSchema = z.object({
  model: z.string().min(1).describe("base model: a GGUF file").meta({ ko: "기반 모델 (GGUF)" }),
  data: z.array(z.string().min(1)).min(1).describe("training documents: .txt/.md files, folders of them, or a dataset folder; also what RAG retrieves from").meta({ ko: "학습 문서 (RAG 검색 대상이기도 함)" }),
  suite: z.string().min(1).describe("evaluation suite JSONL (qa, cloze, mc, judge items), the same for every rung").meta({ ko: "평가 세트 (모든 단계에 같은 세트)" }),
  heldOut: z.string().optional().describe("held-out text for perplexity (text none of the rungs trained on)").meta({ ko: "퍼플렉서티용 평가 텍스트 (어느 단계도 학습하지 않은 텍스트)" }),
  qaStyle: z
    .enum(QA_STYLE_SETTINGS)
    .optional()
    .describe("QA EM/F1 rules for every rung: squad, korquad, or auto (KorQuAD when a question or its context has Hangul); default the suite's first line, else auto")
    .meta({ ko: "QA 채점 규칙: squad, korquad, auto (질문·지문에 한글이 있으면 KorQuAD); 기본은 세트의 첫 줄, 없으면 auto" }),
  out: z.string().min(1).describe("folder for report.md, report.html, results.json and each rung's run folder and eval; an earlier ladder's output there is replaced")
    .meta({ ko: "보고서와 단계별 실행 폴더 (이전 사다리 결과는 교체)" }),
  budget: z.string().default("50k").describe('training budget per training rung: tokens ("50k", "200000") or time ("90s", "5m")').meta({ ko: '학습 단계별 예산: 토큰("50k") 또는 시간("90s", "5m")' }),
  methods: z.array(z.string()).optional().describe("rungs to run, comma-separated ids (prompt, few-shot, rag, lora-r2, dapt...) or method names; default all")
    .meta({ ko: "실행할 단계 (쉼표로 구분, 기본: 전부)" }),
  ctx: z.number().int().min(8).default(128).describe("tokens per training sequence; also the perplexity window").meta({ ko: "학습 시퀀스와 퍼플렉서티 창 길이" }),
  batch: z.number().int().positive().default(4).describe("sequences per optimizer step").meta({ ko: "스텝당 시퀀스 수" }),
  kernelLayouts: z.boolean().default(false).describe("on a quantized base, also hold its matrices in the CPU's AMX / repacked layout for faster training rungs (a second copy of those weights in memory)")
    .meta({ ko: "양자화 기반에서 AMX/재배열 형식 사본으로 더 빠르게 학습 (메모리 더 씀)" }),
  checkpointActivations: z.boolean().default(false).describe("train every rung with activation checkpointing: far less memory for long contexts or big batches, 20-35% more time per step (measured)")
    .meta({ ko: "활성값 체크포인팅으로 학습 (메모리 크게 절약, 시간 더 듦)" }),
  precision: PrecisionSchema,
  seed: z.number().int().nonnegative().default(42).describe("seed for training (data order, initialisation) and for drawing few-shot examples").meta({ ko: "학습과 퓨샷 추출 시드" }),
  threads: z.number().int().positive().optional().describe("CPU threads for training and scoring; default all logical cores (1 for models under 10M parameters, whose ops are too small to split)")
    .meta({ ko: "CPU 스레드 수 (기본: 전체 코어, 1천만 파라미터 미만 모델은 1)" }),
  fewShot: z.number().int().positive().default(3).describe("examples before each item in the few-shot rung").meta({ ko: "퓨샷 예시 수" }),
  examples: z.string().optional().describe("few-shot examples file (JSONL of input/output or question/answer); default: other suite items whose answer differs")
    .meta({ ko: "퓨샷 예시 파일 (input/output 또는 question/answer JSONL); 기본: 답이 다른 다른 평가 항목" }),
  ragPassages: z.number().int().positive().default(3).describe("retrieved passages before each item in the RAG rung").meta({ ko: "RAG 검색 문단 수" }),
  ragPassageTokens: z.number().int().min(8).default(64).describe("longest passage in the RAG index, in tokens"),
  judgeModel: z.string().optional().describe("GGUF model that judges the suite's judge items; without it they are listed as skipped").meta({ ko: "심판 모델 (없으면 judge 항목은 건너뜀으로 표시)" }),
  title: z.string().optional().describe("report title"),
  addRungs: z
    .array(z.object({ name: z.string().min(1), path: z.string().min(1) }))
    .default([])
    .describe("rungs trained elsewhere (a PEFT LoRA folder, a GGUF LoRA or a GGUF model), scored on the same suite after the local rungs"),
});

export type LadderOptions = z.infer<typeof LadderOptionsSchema>;
export type LadderOptionsInput = z.input<typeof LadderOptionsSchema>;

/** Validates ladder options, listing every problem in one message. */
export function resolveLadderOptions(input: unknown): LadderOptions {
  const parsed = LadderOptionsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid ladder options: ${problems}`, ko: `사다리 설정이 올바르지 않습니다: ${problems}` });
}
