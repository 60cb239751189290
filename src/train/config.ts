// The training configuration: one zod schema, every field described, resolved once and saved in the run folder.
import { z } from "zod";
import { InvalidConfigError } from "../errors.js";
import { DEVICE_CHOICES } from "../native/device-choice.js";
import { PrecisionSchema, QuantizedBackwardSchema } from "../engine/product-precision.js";

export const TrainConfigSchema = z.object({
  method: z.string().describe("adaptation method: full (DAPT: every weight trains)"),
  methodOptions: z.record(z.string(), z.unknown()).default({}).describe("options of the method (see its schema)"),
  model: z.string().describe("base model: a GGUF path, hf:<user>/<repo>[:quant], hf:<user>/<repo>/<file>.gguf or an https URL (downloaded once into the cache)")
    .meta({ ko: "기본 모델: GGUF 경로, hf: 이름 또는 URL (캐시에 한 번 내려받음)" }),
  data: z.array(z.string()).min(1).describe("training data: .txt/.md files, folders of them, or a dataset folder from `localtune data prepare`")
    .meta({ ko: "학습 데이터: .txt/.md 파일, 그 폴더, 또는 `localtune data prepare`로 만든 데이터셋 폴더" }),
  valData: z.array(z.string()).default([]).describe("validation data in the same forms; a dataset folder's val split is used when none is given")
    .meta({ ko: "같은 형식의 검증 데이터; 주지 않으면 데이터셋 폴더의 val 분할을 씀" }),
  out: z.string().describe("run folder to create").meta({ ko: "만들 실행 폴더" }),
  steps: z.number().int().positive().optional().describe("optimizer steps; when absent, derived from epochs").meta({ ko: "옵티마이저 스텝 수; 없으면 epochs에서 계산" }),
  epochs: z.number().positive().default(1).describe("passes over the training sequences when steps is absent").meta({ ko: "steps가 없을 때 학습 시퀀스를 몇 번 훑을지" }),
  lr: z.number().positive().default(1e-3).describe("peak learning rate").meta({ ko: "최대 학습률" }),
  schedule: z.enum(["constant", "linear", "cosine"]).default("cosine").describe("learning-rate schedule after warmup").meta({ ko: "워밍업 뒤 학습률 스케줄" }),
  warmup: z.number().int().nonnegative().default(0).describe("linear warmup steps").meta({ ko: "선형 워밍업 스텝 수" }),
  minLrRatio: z.number().min(0).max(1).default(0.1).describe("final learning rate as a fraction of the peak (linear, cosine)").meta({ ko: "최종 학습률: 최고값에 대한 비율 (linear, cosine)" }),
  ctx: z.number().int().min(2).default(256).describe("tokens per training sequence").meta({ ko: "학습 시퀀스당 토큰 수" }),
  batch: z.number().int().positive().default(4).describe("sequences per micro-batch").meta({ ko: "마이크로배치당 시퀀스 수" }),
  gradAccum: z.number().int().positive().default(1).describe("micro-batches accumulated per optimizer step").meta({ ko: "옵티마이저 스텝마다 누적하는 마이크로배치 수" }),
  kernelLayouts: z
    .boolean()
    .default(false)
    .describe("hold a quantized frozen base also in the CPU's AMX / repacked layout for faster forward matmuls, beside the plain copy the backward pass reads: faster, at the memory of a second copy of those weights")
    .meta({ ko: "양자화 기반 모델의 행렬을 CPU의 AMX/재배열 형식으로도 두어 순전파를 빠르게 함 (그만큼 메모리 추가)" }),
  checkpointActivations: z
    .boolean()
    .default(false)
    .describe("keep only each block's input and recompute the block during the backward pass: activation memory of one block instead of all, for one more forward pass per step (20-35% more time, measured)")
    .meta({ ko: "역전파 때 블록을 다시 계산해 활성값 메모리를 크게 줄임 (스텝 시간은 20-35% 더 듦, 측정값)" }),
  precision: PrecisionSchema,
  quantizedBackward: QuantizedBackwardSchema,
  seed: z.number().int().nonnegative().default(42).describe("seed for data order and initialisation").meta({ ko: "데이터 순서와 초기화의 시드" }),
  threads: z.number().int().positive().optional().describe("CPU threads; default all cores").meta({ ko: "CPU 스레드 수; 기본은 전체 코어" }),
  weightDecay: z.number().min(0).max(1).default(0).describe("decoupled AdamW weight decay").meta({ ko: "AdamW 가중치 감쇠" }),
  maxGradNorm: z.number().min(0).default(1).describe("clip the global gradient norm to this; 0 disables").meta({ ko: "전체 기울기 노름을 이 값으로 자름; 0이면 끔" }),
  beta1: z.number().min(0).max(1).default(0.9).describe("AdamW beta1").meta({ ko: "AdamW beta1" }),
  beta2: z.number().min(0).max(1).default(0.999).describe("AdamW beta2").meta({ ko: "AdamW beta2" }),
  adamEps: z.number().positive().default(1e-8).describe("AdamW epsilon").meta({ ko: "AdamW 엡실론" }),
  evalEvery: z.number().int().nonnegative().optional().describe("steps between validation losses; default 10% of the steps; 0 disables").meta({ ko: "검증 손실 사이의 스텝 수; 기본은 전체 스텝의 10%; 0이면 끔" }),
  evalBatches: z.number().int().positive().default(8).describe("micro-batches of validation data per evaluation (at most)").meta({ ko: "평가 한 번에 쓰는 검증 데이터 마이크로배치 수 (최대)" }),
  earlyStop: z.number().int().nonnegative().default(0).describe("stop after this many evaluations without a better validation loss; 0 disables").meta({ ko: "검증 손실이 나아지지 않는 평가가 이만큼 이어지면 멈춤; 0이면 끔" }),
  saveEvery: z.number().int().nonnegative().optional().describe("steps between checkpoints; default the evaluation cadence; 0 only at the end and on Ctrl-C").meta({ ko: "체크포인트 사이의 스텝 수; 기본은 평가 주기; 0이면 끝과 Ctrl-C 때만" }),
  keepCheckpoints: z.number().int().positive().default(2).describe("checkpoints kept (older ones are deleted)").meta({ ko: "남겨 둘 체크포인트 수 (오래된 것은 지움)" }),
  exportType: z.enum(["f32", "f16"]).default("f32").describe("tensor type of exported trained weights").meta({ ko: "내보내는 학습 가중치의 텐서 형식" }),
  // "gpu" was this field's value before --device existed: old run folders resume on auto's choice.
  device: z.preprocess((v) => (v === "gpu" ? "auto" : v), z.enum(DEVICE_CHOICES)).default("auto").describe("compute device: auto (a real GPU when one is usable and the run fits its memory, else the CPU), cpu, cuda, vulkan or metal"),
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Validates a config, listing every problem in one message. */
export function resolveTrainConfig(input: unknown): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid training configuration: ${problems}`, ko: `학습 설정이 올바르지 않습니다: ${problems}` });
}
