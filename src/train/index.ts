// Public training API: start a run from a config, or resume one from its folder. Both run in a child process.
import { InvalidConfigError } from "../errors.js";
import { findMethod } from "../methods/registry.js";
import { currentDeviceChoice } from "../native/device-choice.js";
import { isRemoteModelSpec, resolveLocalModelPath, resolveModelPath } from "../native/model-source.js";
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
import { runTrainingJob, type DoneEvent, type JobOptions } from "./job.js";
import { lockRun, prepareResume } from "./resume.js";
import { RunFolder } from "./run-folder.js";

export { TrainConfigSchema, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from "./config.js";
export { TrainingCrashedError, type DoneEvent, type JobOptions } from "./job.js";
export type { TrainEvent } from "./loop.js";
export { RunFolder, type MetricsRecord } from "./run-folder.js";

/** Validates the config and the method's options, creates the run folder (config.json) and trains. */
export async function startTraining(input: TrainConfigInput, options: JobOptions = {}): Promise<{ config: TrainConfig; runDir: string; done: DoneEvent }> {
  // The run's device is the caller's (--device of train, ladder or demo; LOCALTUNE_DEVICE) unless the config names one.
  const config = resolveTrainConfig({ ...input, device: input.device ?? currentDeviceChoice() });
  // Bad method options must fail before the run folder exists, or a retry with the same --out would be refused.
  const method = findMethod(config.method);
  const parsed = method.schema.safeParse(config.methodOptions);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || method.name}: ${i.message}`).join("; ");
    throw new InvalidConfigError({ en: `invalid ${method.name} options: ${problems}`, ko: `${method.name} 옵션이 올바르지 않습니다: ${problems}` });
  }
  // The child reads config.json's model as a local file: a name to download is fetched here, before the run folder
  // exists (a failed download leaves nothing behind); a local path stays synchronous, because the UI relies on the
  // folder existing before startTraining's first await.
  config.model = isRemoteModelSpec(config.model) ? await resolveModelPath(config.model) : resolveLocalModelPath(config.model);
  const folder = RunFolder.create(config);
  const lock = lockRun(folder.dir);
  try {
    const done = await runTrainingJob(folder.dir, { ...options, lock });
    return { config, runDir: folder.dir, done };
  } finally {
    lock.release();
  }
}

/**
 * Continues a run from its newest whole checkpoint with the config and the very files it was started with (checked
 * against the run's fingerprints); one trainer per run at a time (a lock file with the trainer's PID).
 */
export async function resumeTraining(runDir: string, options: JobOptions = {}): Promise<{ config: TrainConfig; runDir: string; done: DoneEvent }> {
  const folder = RunFolder.open(runDir);
  const config = folder.readConfig();
  const lock = lockRun(folder.dir);
  try {
    if (lock.tookOver) options.onNote?.(lock.tookOver);
    for (const note of prepareResume(folder, config)) options.onNote?.(note);
    const done = await runTrainingJob(folder.dir, { ...options, lock });
    return { config, runDir: folder.dir, done };
  } finally {
    lock.release();
  }
}
