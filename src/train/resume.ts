// What `train resume` settles before the training child starts, while it holds the run's lock: leftovers of a killed
// process are removed, the inputs are checked against the run's record, a damaged newest checkpoint is set aside so
// the one before it is used, and metrics.jsonl loses the rows of steps that will be trained again.
import fs from "node:fs";
import path from "node:path";
import { acquireLock, ATOMIC_TEMP_FILE, removeDeadProcessFiles, type HeldLock } from "../fs/process-files.js";
import { checkpointProblem } from "./checkpoint.js";
import type { TrainConfig } from "./config.js";
import type { RunFolder } from "./run-folder.js";
import { checkRunInputs } from "./run-inputs.js";

/** A message in both languages, for the CLI or the UI to show. */
export interface RunNote {
  en: string;
  ko: string;
}

export const RUN_LOCK_FILE = "train.lock";

/** Takes the run's lock: a second trainer of one run gets a LockHeldError; a dead trainer's lock is taken over. */
export function lockRun(dir: string): HeldLock {
  return acquireLock(path.join(dir, RUN_LOCK_FILE), { en: `the run ${dir}`, ko: `실행 ${dir}` });
}

/** Prepares `folder` for resuming; returns what it did, for the user. Call with the run's lock held. */
export function prepareResume(folder: RunFolder, config: TrainConfig): RunNote[] {
  const notes: RunNote[] = [];
  const leftovers = removeDeadProcessFiles(folder.dir, ATOMIC_TEMP_FILE, { recursive: true });
  if (leftovers.length > 0) {
    const list = leftovers.map((f) => path.relative(folder.dir, f)).join(", ");
    notes.push({ en: `note: removed ${leftovers.length} temporary file(s) of a process that was killed: ${list}`, ko: `참고: 중단된 프로세스의 임시 파일 ${leftovers.length}개를 지웠습니다: ${list}` });
  }
  if (checkRunInputs(folder.dir, config).recordedNow) {
    notes.push({
      en: "note: this run was started before localtune recorded input fingerprints: the model and data are recorded now, so later resumes check them",
      ko: "참고: 이 실행은 localtune이 입력 지문을 기록하기 전에 시작되었습니다: 지금 모델과 데이터를 기록했으므로 다음 이어하기부터 확인합니다",
    });
  }
  // Newest first: a checkpoint cut short (a full disk, a copy gone wrong) is kept aside, never deleted, and the one
  // before it is used.
  for (const step of [...folder.checkpointSteps()].reverse()) {
    const file = folder.checkpointPath(step);
    const problem = checkpointProblem(file);
    if (!problem) break;
    fs.renameSync(file, `${file}.broken`);
    notes.push({
      en: `note: the checkpoint of step ${step} cannot be read (${problem}); it was renamed to ${path.basename(file)}.broken and the previous checkpoint is used`,
      ko: `참고: ${step} 스텝의 체크포인트를 읽을 수 없어 (${problem}) ${path.basename(file)}.broken으로 이름을 바꾸고 이전 체크포인트를 씁니다`,
    });
  }
  // Steps after the checkpoint resumed from (all of them without one) are trained again: their rows go now, so a kill
  // before the first checkpoint cannot leave the same step twice in metrics.jsonl.
  if (fs.existsSync(folder.metricsFile)) folder.truncateMetricsAfter(folder.checkpointSteps().at(-1) ?? 0);
  return notes;
}
