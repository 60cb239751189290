// Public training API: start a run from a config, or resume one from its folder. Both run in a child process.
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
import { runTrainingJob, type DoneEvent, type JobOptions } from "./job.js";
import { RunFolder } from "./run-folder.js";

export { TrainConfigSchema, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
export { TrainingCrashedError, type DoneEvent, type JobOptions } from "./job.js";
export type { TrainEvent } from "./loop.js";
export { RunFolder, type MetricsRecord } from "./run-folder.js";

/** Validates the config, creates the run folder (config.json) and trains. */
export async function startTraining(input: TrainConfigInput, options: JobOptions = {}): Promise<{ config: TrainConfig; runDir: string; done: DoneEvent }> {
  const config = resolveTrainConfig(input);
  const folder = RunFolder.create(config);
  const done = await runTrainingJob(folder.dir, options);
  return { config, runDir: folder.dir, done };
}

/** Continues a run from its newest checkpoint with the config it was started with. */
export async function resumeTraining(runDir: string, options: JobOptions = {}): Promise<{ config: TrainConfig; runDir: string; done: DoneEvent }> {
  const folder = RunFolder.open(runDir);
  const config = folder.readConfig();
  const done = await runTrainingJob(folder.dir, options);
  return { config, runDir: folder.dir, done };
}
