// The feasibility plan: each rung's memory against what this machine has free, its time per epoch from the
// calibrated step-time model (unknown, not guessed, without calibration), a ranking fastest first and a recommendation.
import type { Bilingual } from "../i18n/index.js";
import { estimateStepSeconds, type Backend, type CalibrationFile, type ThroughputFit } from "./calibration.js";
import type { ModelShape } from "./model-shape.js";
import { estimateRungs, forwardEstimate, rungIds, type RungEstimate, type RungId, type RungOptions } from "./rungs.js";

/** Share of the free memory a plan may fill and still be called a fit; above it is "tight" (other programs,
 *  allocator slack and the estimate's own error need room). */
export const COMFORTABLE_SHARE = 0.8;

export type Fit = "yes" | "tight" | "no";

export interface RungPlan extends RungEstimate {
  fit: Fit;
  /** Only the checkpointed plan fits: training turns activation checkpointing on by itself (src/train/loop.ts), so
   *  `memory` is that plan and the time includes the recomputed forward pass. */
  checkpointed: boolean;
  /** FLOPs of one pass over the dataset (for prompt-rag: one forward pass, e.g. to embed it for an index). */
  epochFlops: number;
  /** Micro-batches (= optimizer steps, without accumulation) in one epoch. */
  epochSteps: number;
  /** Seconds of one step from the calibration; null when this mode / base type / thread count is not calibrated. */
  stepSeconds: number | null;
  /** Seconds per epoch: epochSteps x stepSeconds. */
  epochSeconds: number | null;
  /** The calibrated model the time comes from. */
  throughput: ThroughputFit | null;
  notes: Bilingual[];
}

export interface PlanInput {
  shape: ModelShape;
  /** Training tokens in one epoch. */
  tokens: number;
  options: RungOptions;
  backend: Backend;
  /** CPU threads the training would use (the calibration must cover them for times). */
  threads: number;
  /** Memory the backend can use: free VRAM on a GPU backend, available RAM on the CPU. */
  memoryBytes: number;
  calibration?: CalibrationFile;
  /** Longest acceptable epoch when times are known. */
  budgetHours: number;
  /** The CPU has AMX tiles: ggml's AMX buffer multiplies Q8_0 / Q4_K weights there (train --kernel-layouts). */
  cpuHasAmx?: boolean;
}

export interface Plan {
  model: ModelShape;
  tokens: number;
  backend: Backend;
  threads: number;
  memoryBytes: number;
  /** Every rung has a measured throughput. */
  calibrated: boolean;
  rankedBy: "time" | "flops";
  /** Fastest first. */
  rungs: RungPlan[];
  recommendation: { rung: RungId; reason: Bilingual };
}

const gib = (b: number) => (b / 2 ** 30).toFixed(1);

function fitOf(peak: number, budget: number): Fit {
  if (peak <= COMFORTABLE_SHARE * budget) return "yes";
  return peak <= budget ? "tight" : "no";
}

function notesFor(r: RungEstimate, input: PlanInput, autoCheckpointed: boolean): Bilingual[] {
  const notes: Bilingual[] = [];
  const quantizedOrHalf = r.mode === "frozen" && r.baseType !== "f32";
  if (quantizedOrHalf && input.backend === "cpu") {
    notes.push({
      en: `a ${r.baseType} frozen base costs the same FLOPs as F32; the backward transposes each matrix into a short-lived BF16 copy so it runs as a fast mul_mat; the speed is the calibration's ${r.baseType} figure`,
      ko: `${r.baseType} 고정 가중치는 F32와 FLOPs가 같습니다. 역전파는 각 행렬을 잠깐 쓰는 전치 BF16 사본으로 바꿔 빠른 mul_mat으로 계산합니다. 속도는 보정의 ${r.baseType} 측정값입니다`,
    });
  }
  if (quantizedOrHalf && input.backend === "cpu" && input.cpuHasAmx && r.baseType !== "f16") {
    notes.push({
      en: `this CPU has AMX: with --kernel-layouts the ${r.baseType} matrices are also held in ggml's AMX layout and the forward products run there (LoRA on Q8_0 measured 1.19-1.30x faster here), for a second copy of those weights in memory`,
      ko: `이 CPU에는 AMX가 있습니다: --kernel-layouts를 쓰면 ${r.baseType} 행렬을 ggml의 AMX 형식으로도 두어 순전파 행렬곱을 그쪽에서 계산합니다 (여기서 Q8_0 기반 LoRA가 1.19-1.30배 빨랐음). 대신 그 가중치의 사본이 하나 더 메모리에 있습니다`,
    });
  }
  const checkpointed = r.checkpointedMemory;
  if (checkpointed && autoCheckpointed) {
    notes.push({
      en: `every block's activations would need ${gib(r.memory.totalBytes)} GiB at the peak: training turns activation checkpointing on by itself (peak ${gib(checkpointed.totalBytes)} GiB, same results); the time includes the recomputed forward pass`,
      ko: `모든 블록의 활성값을 두면 최대 ${gib(r.memory.totalBytes)} GiB가 필요해, 학습이 활성값 체크포인팅을 자동으로 켭니다 (최대 ${gib(checkpointed.totalBytes)} GiB, 결과는 같음). 시간에는 다시 계산하는 순전파가 포함됩니다`,
    });
  } else if (checkpointed && fitOf(r.memory.totalBytes, input.memoryBytes) !== "yes" && fitOf(checkpointed.totalBytes, input.memoryBytes) === "yes") {
    // The recomputed forward pass: 2N of the 6N per token of full training, 2N of the 4N through a frozen base.
    const extra = r.mode === "full" ? "a third" : "half";
    const extraKo = r.mode === "full" ? "1/3" : "1/2";
    notes.push({
      en: `with --checkpoint-activations the peak is ${gib(checkpointed.totalBytes)} GiB instead of ${gib(r.memory.totalBytes)} GiB and fits comfortably; each block's forward pass is recomputed, so a step takes up to ${extra} longer`,
      ko: `--checkpoint-activations를 쓰면 최대 메모리가 ${gib(r.memory.totalBytes)} GiB에서 ${gib(checkpointed.totalBytes)} GiB로 줄어 여유 있게 들어갑니다. 블록의 순전파를 다시 계산하므로 스텝 시간이 최대 ${extraKo}만큼 늘어납니다`,
    });
  }
  if (r.id === "full-dapt" && input.tokens < input.shape.totalParams) {
    notes.push({
      en: `${input.tokens.toLocaleString("en")} tokens is fewer than the model's ${input.shape.totalParams.toLocaleString("en")} parameters: full DAPT would overfit; it pays off with far more text`,
      ko: `토큰 ${input.tokens.toLocaleString("en")}개는 모델 파라미터 ${input.shape.totalParams.toLocaleString("en")}개보다 적습니다: 전체 DAPT는 과적합됩니다. 훨씬 많은 텍스트가 있을 때 의미가 있습니다`,
    });
  }
  if (r.id === "prompt-rag") {
    notes.push({
      en: "nothing is trained; the time is one forward pass over the data (building an index with this model)",
      ko: "아무것도 학습하지 않습니다. 시간은 데이터 전체를 한 번 순전파하는 비용입니다 (이 모델로 색인 구축)",
    });
  }
  return notes;
}

function recommend(rungs: RungPlan[], input: PlanInput, calibrated: boolean): Plan["recommendation"] {
  const budgetSeconds = input.budgetHours * 3600;
  const candidates = rungs.filter(
    (r) =>
      r.level > 0 &&
      r.fit !== "no" &&
      !(r.id === "full-dapt" && input.tokens < input.shape.totalParams) &&
      (r.epochSeconds === null || r.epochSeconds <= budgetSeconds),
  );
  // The most thorough rung that qualifies; within a level, the ladder's order (a fuller-precision base first).
  const best = [...candidates].sort((a, b) => b.level - a.level || ladderIndex(a.id) - ladderIndex(b.id))[0];
  const fitsMemory = rungs.filter((r) => r.level > 0 && r.fit !== "no" && r.epochSeconds !== null);
  if (!best && fitsMemory.length > 0) {
    const fastest = [...fitsMemory].sort((a, b) => a.epochSeconds! - b.epochSeconds!)[0]!;
    const took = formatDuration(fastest.epochSeconds!);
    return {
      rung: "prompt-rag",
      reason: {
        en: `training fits in memory, but every rung takes longer than ${input.budgetHours} h per epoch (fastest: ${fastest.id}, ${took}): use prompts and RAG, or fewer tokens, more threads, a GPU or a smaller model (--budget-hours to accept longer)`,
        ko: `메모리에는 맞지만 모든 학습 단계가 에포크당 ${input.budgetHours}시간을 넘습니다 (가장 빠른 것: ${fastest.id}, ${took}): 프롬프트와 RAG를 쓰거나, 토큰을 줄이거나, 스레드·GPU를 늘리거나, 더 작은 모델을 쓰세요 (더 긴 시간을 허용하려면 --budget-hours)`,
      },
    };
  }
  if (!best) {
    return {
      rung: "prompt-rag",
      reason: {
        en: `no training rung fits in ${gib(input.memoryBytes)} GiB${calibrated ? ` within ${input.budgetHours} h per epoch` : ""}: use prompts and RAG, or a smaller or more quantized model`,
        ko: `${gib(input.memoryBytes)} GiB${calibrated ? `, 에포크당 ${input.budgetHours}시간` : ""} 안에 맞는 학습 단계가 없습니다: 프롬프트와 RAG를 쓰거나 더 작거나 더 양자화된 모델을 쓰세요`,
      },
    };
  }
  const when = calibrated
    ? { en: `an epoch takes about ${formatDuration(best.epochSeconds!)}`, ko: `에포크당 약 ${formatDuration(best.epochSeconds!)}` }
    : {
        en: "times are unknown until calibration runs, so this choice weighs memory and data only",
        ko: "보정 전이라 시간은 알 수 없어 메모리와 데이터만으로 고른 것입니다",
      };
  return {
    rung: best.id,
    reason: {
      en: `start with prompts / RAG as the baseline, then ${best.id}: the most thorough rung that fits (${gib(best.memory.totalBytes)} of ${gib(input.memoryBytes)} GiB); ${when.en}`,
      ko: `먼저 프롬프트 / RAG로 기준을 잡고, 다음은 ${best.id}: 메모리에 맞는 가장 깊은 단계 (${gib(input.memoryBytes)} GiB 중 ${gib(best.memory.totalBytes)}); ${when.ko}`,
    },
  };
}

function ladderIndex(id: RungId): number {
  return rungIds().indexOf(id);
}

/** "3 h 20 min", "45 s", "2.5 d". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** Plans every rung for one model, dataset size and machine. */
export function planRungs(input: PlanInput): Plan {
  const { ctx, batch } = input.options;
  const epochSteps = Math.max(1, Math.ceil(input.tokens / (ctx * batch)));
  const forwardFlopsPerToken = forwardEstimate(input.shape, input.options).flopsPerToken;
  const rungs: RungPlan[] = estimateRungs(input.shape, input.options).map((raw) => {
    // Training turns checkpointing on by itself when only the checkpointed plan fits: plan that run.
    const checkpointed = raw.checkpointedMemory !== undefined && fitOf(raw.memory.totalBytes, input.memoryBytes) === "no" && fitOf(raw.checkpointedMemory.totalBytes, input.memoryBytes) !== "no";
    const r = checkpointed ? { ...raw, memory: raw.checkpointedMemory! } : raw;
    const query = { backend: input.backend, threads: input.threads, baseType: r.baseType, nLayer: input.shape.nLayer, trainableParams: r.trainableParams };
    const train = estimateStepSeconds(input.calibration, { ...query, mode: r.mode, flops: r.flopsPerToken * ctx * batch });
    const recompute = checkpointed ? estimateStepSeconds(input.calibration, { ...query, mode: "forward", flops: forwardFlopsPerToken * ctx * batch }) : null;
    const step = train && (!checkpointed || recompute) ? { seconds: train.seconds + (recompute?.seconds ?? 0), fit: train.fit } : null;
    return {
      ...r,
      checkpointed,
      fit: fitOf(r.memory.totalBytes, input.memoryBytes),
      epochFlops: r.flopsPerToken * input.tokens,
      epochSteps,
      stepSeconds: step?.seconds ?? null,
      epochSeconds: step ? step.seconds * epochSteps : null,
      throughput: step?.fit ?? null,
      notes: notesFor(raw, input, checkpointed),
    };
  });
  const calibrated = rungs.every((r) => r.epochSeconds !== null);
  const ranked = [...rungs].sort((a, b) =>
    calibrated ? a.epochSeconds! - b.epochSeconds! : a.epochFlops - b.epochFlops || ladderIndex(a.id) - ladderIndex(b.id),
  );
  return {
    model: input.shape,
    tokens: input.tokens,
    backend: input.backend,
    threads: input.threads,
    memoryBytes: input.memoryBytes,
    calibrated,
    rankedBy: calibrated ? "time" : "flops",
    rungs: ranked,
    recommendation: recommend(ranked, input, calibrated),
  };
}
