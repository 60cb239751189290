// `localtune train <method>` and `localtune train resume <run-dir>`: parse options into a training config, run it
// in a child process, show progress (a bar for people, JSON lines with --json).
import type { Command } from "commander";
import { getLang, msg } from "../../i18n/index.js";
import { METHODS } from "../../methods/registry.js";
import { resumeTraining, startTraining, type TrainEvent } from "../../train/index.js";
import { formatDuration, ProgressBar } from "../progress.js";
import { addMethodOptions, addTrainOptions } from "../train-options.js";

export function registerTrain(program: Command): void {
  const train = program.command("train").description("train an adapted model (runs in a child process; Ctrl-C saves a checkpoint) / 모델 학습 (Ctrl-C는 체크포인트를 저장)");
  for (const method of METHODS) {
    const command = train.command(method.name).description(`${method.summary.en} / ${method.summary.ko}`);
    const trainValues = addTrainOptions(command);
    const methodValues = addMethodOptions(command, method);
    command.option("--json", "print one JSON event per line instead of a progress bar / 진행 막대 대신 이벤트마다 JSON 한 줄 출력");
    command.action(async (flags: Record<string, unknown>) => {
      const json = flags.json === true;
      const result = await startTraining({ ...trainValues(flags), method: method.name, methodOptions: methodValues(flags) }, { onEvent: reporter(json) });
      printSummary(result.done, json, result.runDir);
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
