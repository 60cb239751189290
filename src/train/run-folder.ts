// The run folder of a training job: config.json (fully resolved), metrics.jsonl, checkpoints/ (atomic, last K kept),
// and the result (model/ or adapter/). Everything a later `train resume` or report needs is here.
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../data/io.js";
import { FileNotFoundError, InvalidConfigError } from "../errors.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { resolveTrainConfig, type TrainConfig } from "./config.js";
import { absoluteInputs, fingerprintInputs, RUN_INPUTS_FILE } from "./run-inputs.js";

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  step: number;
  loss?: number;
  valLoss?: number;
  lr?: number;
  gradNorm?: number;
  tokensPerSecond?: number;
  elapsedSeconds: number;
  epoch?: number;
  event?: "start" | "resume" | "interrupted" | "early-stop" | "done";
  /** On start and resume: the device the run computes on ("CPU", "Vulkan0", ...). */
  device?: string;
  /** On start and resume, GPU runs only: ops the device lacks, which ran on the CPU. */
  cpuFallbackOps?: string[];
}

const CHECKPOINT = /^step-(\d{8})\.gguf$/;

export class RunFolder {
  private constructor(readonly dir: string) {}

  /**
   * Creates the folder and writes config.json with absolute input paths and inputs.json with their fingerprints (so a
   * resume from any folder reads the same files, or refuses); refuses a folder that already holds a run, and one
   * that is, holds or lies inside an input.
   */
  static create(input: TrainConfig): RunFolder {
    const config = absoluteInputs(input);
    const dir = path.resolve(config.out);
    assertOutputIsNotInput({ path: dir, kind: "folder" }, [config.model, ...config.data, ...config.valData]);
    if (fs.existsSync(path.join(dir, "config.json"))) {
      throw new InvalidConfigError({
        en: `${dir} already holds a run. Continue it with: localtune train resume ${config.out} (or choose another --out).`,
        ko: `${dir}에 이미 학습 기록이 있습니다. 이어서 하려면: localtune train resume ${config.out} (또는 다른 --out을 지정하세요).`,
      });
    }
    fs.mkdirSync(path.join(dir, "checkpoints"), { recursive: true });
    writeFileAtomic(path.join(dir, RUN_INPUTS_FILE), JSON.stringify(fingerprintInputs(config), null, 2) + "\n");
    writeFileAtomic(path.join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
    return new RunFolder(dir);
  }

  static open(dir: string): RunFolder {
    if (!fs.existsSync(path.join(dir, "config.json"))) throw new FileNotFoundError(path.join(dir, "config.json"), "run config");
    return new RunFolder(path.resolve(dir));
  }

  readConfig(): TrainConfig {
    return resolveTrainConfig(JSON.parse(fs.readFileSync(path.join(this.dir, "config.json"), "utf8")));
  }

  get metricsFile(): string {
    return path.join(this.dir, "metrics.jsonl");
  }

  appendMetrics(record: MetricsRecord): void {
    fs.appendFileSync(this.metricsFile, JSON.stringify(record) + "\n");
  }

  /** The rows of metrics.jsonl; a last line cut short by a kill mid-write is left out. */
  readMetrics(): MetricsRecord[] {
    if (!fs.existsSync(this.metricsFile)) return [];
    const lines = fs.readFileSync(this.metricsFile, "utf8").split("\n").filter(Boolean);
    return lines.flatMap((line, i) => {
      try {
        return [JSON.parse(line) as MetricsRecord];
      } catch (error) {
        if (i === lines.length - 1) return [];
        throw error;
      }
    });
  }

  /** Drops metric lines after `step` (a run killed after its last checkpoint logged steps that will be redone). */
  truncateMetricsAfter(step: number): void {
    const kept = this.readMetrics().filter((r) => r.step <= step);
    writeFileAtomic(this.metricsFile, kept.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  checkpointPath(step: number): string {
    return path.join(this.dir, "checkpoints", `step-${String(step).padStart(8, "0")}.gguf`);
  }

  /** Checkpoint steps present, oldest first. */
  checkpointSteps(): number[] {
    const dir = path.join(this.dir, "checkpoints");
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .map((name) => CHECKPOINT.exec(name)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Deletes all but the newest `keep` checkpoints. */
  pruneCheckpoints(keep: number): void {
    const steps = this.checkpointSteps();
    for (const step of steps.slice(0, Math.max(0, steps.length - keep))) fs.rmSync(this.checkpointPath(step));
  }

  get modelFile(): string {
    return path.join(this.dir, "model", "model.gguf");
  }

  get adapterDir(): string {
    return path.join(this.dir, "adapter");
  }
}
