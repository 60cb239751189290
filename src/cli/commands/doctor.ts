// `localtune doctor`: what this PC can train, how much memory it needs and how long it takes (see src/doctor).
import type { Command } from "commander";
import { InvalidConfigError } from "../../errors.js";
import { getLang } from "../../i18n/index.js";
import { formatDoctorReport, formatVerify, runDoctor, runVerify } from "../../doctor/index.js";
import { positiveInt, positiveNumber } from "../options.js";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "Check this PC (CPU, SIMD, RAM, disk, GPUs, compute backend) and plan each training rung: memory, time, fit.\n" +
        "이 PC(CPU, SIMD, RAM, 디스크, GPU, 계산 백엔드)를 점검하고 학습 단계별 메모리, 시간, 가능 여부를 계획합니다.",
    )
    .option("--model <model>", "GGUF model to plan for: a path, hf: name or https URL (default: a table of common sizes)")
    .option("--model-shape <name>", "plan for a known shape without the file: smollm2-135m, qwen2.5-0.5b, llama-3.2-1b, qwen2.5-3b, llama-3.1-8b")
    .option("--data <path>", "prepared dataset folder, .jsonl records or a text file (its tokens set the epoch size)")
    .option("--tokens <n>", "tokens per epoch, instead of counting --data", positiveInt("--tokens"))
    .option("--ctx <n>", "tokens per training sequence (default 512, capped at the model's context)", positiveInt("--ctx"))
    .option("--batch <n>", "sequences per forward/backward pass (default 1; gradient accumulation gives larger batches without more memory)", positiveInt("--batch"))
    .option("--budget-hours <h>", "longest acceptable epoch for the recommendation (default 8)", positiveNumber("--budget-hours"))
    .option("--threads <n>", "CPU threads training will use (default: the engine's default, every core)", positiveInt("--threads"))
    .option("--calibrate", "benchmark the engine again (about 20 s), even when this machine's calibration is cached")
    .option("--no-calibrate", "never benchmark: times stay unknown without a cached calibration")
    .option("--verify", "also run a few real training steps of three configurations and print estimated vs measured time and memory")
    .option("--steps <n>", "steps per --verify configuration (default 8)", positiveInt("--steps"))
    .option("--json", "print the report as JSON")
    .action(async (opts: {
      model?: string; modelShape?: string; data?: string; tokens?: number; ctx?: number; batch?: number; budgetHours?: number;
      threads?: number; calibrate?: boolean; verify?: boolean; steps?: number; json?: boolean;
    }) => {
      // With both --calibrate and --no-calibrate defined, commander leaves the option undefined when neither is given.
      const report = await runDoctor({
        model: opts.model,
        modelShape: opts.modelShape,
        data: opts.data,
        tokens: opts.tokens,
        ctx: opts.ctx,
        batch: opts.batch,
        budgetHours: opts.budgetHours,
        threads: opts.threads,
        calibration: opts.calibrate === true ? "force" : opts.calibrate === false ? "skip" : "auto",
        onProgress: (line) => process.stderr.write(`${line}\n`),
      });
      const lang = getLang();
      let verify;
      if (opts.verify) {
        if (report.calibration.status !== "calibrated") {
          throw new InvalidConfigError({
            en: "--verify compares with the calibration's estimates: drop --no-calibrate so the engine can be benchmarked first.",
            ko: "--verify는 보정의 예상치와 비교합니다: 먼저 엔진을 측정할 수 있도록 --no-calibrate를 빼세요.",
          });
        }
        verify = await runVerify({
          calibration: report.calibration.calibration,
          backend: report.hardware.backend.backend,
          threads: report.threads,
          steps: opts.steps,
          onProgress: (line) => process.stderr.write(`${line}\n`),
        });
      }
      if (opts.json) {
        console.log(JSON.stringify(verify ? { ...report, verify } : report, null, 2));
        return;
      }
      console.log(formatDoctorReport(report, lang));
      if (verify) console.log(`\n${lang === "ko" ? "검증 (예상 대 측정)" : "Verify (estimated vs measured)"}\n${formatVerify(verify, lang)}`);
    });
}
