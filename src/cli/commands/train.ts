// `localtune train <method>` and `localtune train resume <run-dir>`: parse options into a training config, run it
// in a child process, show progress (a bar for people, JSON lines with --json).
import type { Command } from "commander";
import { getLang, msg } from "../../i18n/index.js";
import { METHODS } from "../../methods/registry.js";
import { resumeTraining, startTraining, type TrainEvent } from "../../train/index.js";
import { MODEL_SPEC_HELP } from "../model-source-options.js";
import { finiteNumber, positiveInt } from "../options.js";
import { formatDuration, ProgressBar } from "../progress.js";

interface TrainFlags {
  model: string;
  data: string[];
  val?: string[];
  out: string;
  steps?: number;
  epochs?: number;
  lr?: number;
  schedule?: "constant" | "linear" | "cosine";
  warmup?: number;
  ctx?: number;
  batch?: number;
  gradAccum?: number;
  checkpointActivations?: boolean;
  kernelLayouts?: boolean;
  seed?: number;
  threads?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  evalEvery?: number;
  earlyStop?: number;
  saveEvery?: number;
  keepCheckpoints?: number;
  exportType?: "f32" | "f16";
  json?: boolean;
}

const nonNegativeInt = (name: string) => (value: string) => (value === "0" ? 0 : positiveInt(name)(value));

export function registerTrain(program: Command): void {
  const train = program.command("train").description("train an adapted model (runs in a child process; Ctrl-C saves a checkpoint) / 모델 학습 (Ctrl-C는 체크포인트를 저장)");
  for (const method of METHODS) {
    const command = train
      .command(method.name)
      .description(`${method.summary.en} / ${method.summary.ko}`)
      .requiredOption("--model <model>", MODEL_SPEC_HELP)
      .requiredOption("--data <paths...>", "training data: .txt/.md files, folders, or a dataset folder from `localtune data prepare`")
      .option("--val <paths...>", "validation data (default: a dataset folder's val split)")
      .requiredOption("--out <dir>", "run folder to create")
      .option("--steps <n>", "optimizer steps (default: from --epochs)", positiveInt("--steps"))
      .option("--epochs <n>", "passes over the data when --steps is absent (default 1)", finiteNumber("--epochs"))
      .option("--lr <rate>", "peak learning rate (default 1e-3)", finiteNumber("--lr"))
      .option("--schedule <name>", "constant, linear or cosine (default cosine)")
      .option("--warmup <steps>", "linear warmup steps (default 0)", nonNegativeInt("--warmup"))
      .option("--ctx <n>", "tokens per sequence (default 256)", positiveInt("--ctx"))
      .option("--batch <n>", "sequences per micro-batch (default 4)", positiveInt("--batch"))
      .option("--grad-accum <n>", "micro-batches per optimizer step (default 1)", positiveInt("--grad-accum"))
      .option("--kernel-layouts", "quantized base: also keep its matrices in the CPU's AMX / repacked layout for a faster forward pass (a second copy of those weights in memory) / 양자화 기반 모델의 행렬을 CPU의 AMX/재배열 형식으로도 두어 순전파를 빠르게 함 (그만큼 메모리 추가)")
      .option("--checkpoint-activations", "recompute each block in the backward pass instead of keeping its activations: far less memory for long --ctx or big --batch, 20-35% more time per step (measured) / 역전파 때 블록을 다시 계산해 활성값 메모리를 크게 줄임 (스텝 시간은 20-35% 더 듦, 측정값)")
      .option("--seed <n>", "seed for data order and initialisation (default 42)", nonNegativeInt("--seed"))
      .option("--weight-decay <wd>", "AdamW weight decay (default 0)", finiteNumber("--weight-decay"))
      .option("--max-grad-norm <n>", "clip the gradient norm; 0 disables (default 1)", finiteNumber("--max-grad-norm"))
      .option("--eval-every <steps>", "steps between validation losses (default 10% of steps; 0 disables)", nonNegativeInt("--eval-every"))
      .option("--early-stop <evals>", "stop after this many evaluations without improvement (default 0: off)", nonNegativeInt("--early-stop"))
      .option("--save-every <steps>", "steps between checkpoints (default: the evaluation cadence)", nonNegativeInt("--save-every"))
      .option("--keep-checkpoints <n>", "checkpoints to keep (default 2)", positiveInt("--keep-checkpoints"))
      .option("--export-type <type>", "f32 or f16 for the exported weights (default f32)")
      .option("--json", "print one JSON event per line instead of a progress bar");
    for (const option of method.cliOptions) {
      if (option.parse) command.option(option.flags, option.description, option.parse);
      else command.option(option.flags, option.description);
    }
    command.action(async (flags: TrainFlags & Record<string, unknown>) => {
      const methodOptions: Record<string, unknown> = {};
      for (const option of method.cliOptions) {
        const key = optionKey(option.flags);
        if (flags[key] !== undefined) methodOptions[option.key] = flags[key];
        delete flags[key];
      }
      const { data, val, json, ...rest } = flags;
      const result = await startTraining({ ...rest, method: method.name, methodOptions, data, valData: val ?? [] }, { onEvent: reporter(json === true) });
      printSummary(result.done, json === true, result.runDir);
    });
  }
  train
    .command("resume <run-dir>")
    .description("continue a run from its last checkpoint / 마지막 체크포인트에서 학습을 이어서 진행")
    .option("--json", "print one JSON event per line")
    .action(async (runDir: string, flags: { json?: boolean }) => {
      const result = await resumeTraining(runDir, { onEvent: reporter(flags.json === true), onNote: (note) => console.error(msg(note)) });
      printSummary(result.done, flags.json === true, result.runDir);
    });
}

/** commander's attribute name for a flag: "--low-rank <x>" -> "lowRank". */
function optionKey(flags: string): string {
  const long = /--([\w-]+)/.exec(flags)?.[1] ?? flags;
  return long.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

function reporter(json: boolean): (event: TrainEvent) => void {
  if (json) return (event) => console.log(JSON.stringify(event));
  const bar = new ProgressBar({ label: "train", unit: "step" });
  return (event) => {
    if (event.type === "start") {
      const share = ((100 * event.trainableParams) / event.totalParams).toFixed(2);
      console.error(
        msg(
          {
            en: "{method}: {trainable} trainable parameters ({share}% of {total}), {steps} steps of {tokens} tokens{resumed}",
            ko: "{method}: 학습 파라미터 {trainable}개 (전체 {total}개의 {share}%), {steps} 스텝, 스텝당 {tokens} 토큰{resumed}",
          },
          {
            method: event.method,
            trainable: event.trainableParams.toLocaleString("en-US"),
            total: event.totalParams.toLocaleString("en-US"),
            share,
            steps: event.totalSteps,
            tokens: event.tokensPerStep,
            resumed: event.resumedFromStep === null ? "" : ` (resumed at step ${event.resumedFromStep})`,
          },
        ),
      );
      console.error(msg({ en: "device: {device}", ko: "장치: {device}" }, { device: getLang() === "ko" ? event.device.reason.ko : event.device.reason.en }));
      if (event.cpuFallbackOps.length > 0) {
        console.error(msg({ en: "ops {device} cannot run, computed on the CPU: {ops}", ko: "{device}에서 실행할 수 없어 CPU에서 계산하는 연산: {ops}" }, { device: event.device.name, ops: event.cpuFallbackOps.join(", ") }));
      }
      if (event.checkpointingForMemory) {
        console.error(
          msg({
            en: "not enough free memory to keep every block's activations: checkpointing them (same results, about 20-35% more time per step)",
            ko: "모든 블록의 활성값을 둘 메모리가 부족해 활성값 체크포인팅을 켭니다 (결과는 같고 스텝 시간은 약 20-35% 더 듦)",
          }),
        );
      }
    } else if (event.type === "step") {
      bar.update(event.step, event.totalSteps, `loss ${event.loss.toFixed(4)} ${event.tokensPerSecond.toFixed(0)} tok/s`);
    } else if (event.type === "eval") {
      console.error(msg({ en: "\nstep {step}: validation loss {loss}", ko: "\n스텝 {step}: 검증 손실 {loss}" }, { step: event.step, loss: event.valLoss.toFixed(4) }));
    }
  };
}

function printSummary(done: Extract<TrainEvent, { type: "done" }>, json: boolean, runDir: string): void {
  if (json) return;
  console.log(
    msg(
      {
        en: "\n{reason} at step {step} in {time}; peak memory {rss} MiB\nrun folder: {dir}{output}",
        ko: "\n{reason}: 스텝 {step}, {time} 소요, 최대 메모리 {rss} MiB\n실행 폴더: {dir}{output}",
      },
      {
        reason: done.reason,
        step: done.step,
        time: formatDuration(done.elapsedSeconds),
        rss: (done.peakRssBytes / 2 ** 20).toFixed(0),
        dir: runDir,
        output: done.output ? `\noutput: ${done.output}` : "",
      },
    ),
  );
}
