// The engine benchmark behind calibration: forks measure-child.ts (real Trainer steps on random-weight models of the
// calibration shapes) and collects its timings and the resident baseline of a fresh engine process.
import { CalibrationFailedError } from "../errors.js";
import { forkSibling, tailOutput } from "../native/fork-module.js";
import type { DeviceChoice } from "../native/device-choice.js";
import type { CalibrationCase, CalibrationMeasurement } from "./calibration.js";

export interface MeasureRequest {
  cases: CalibrationCase[];
  threads: number;
  device: DeviceChoice;
}

export type MeasureMessage =
  | { kind: "runtime"; runtimeBytes: number }
  | { kind: "progress"; index: number }
  | { kind: "result"; index: number; result: CalibrationMeasurement }
  | { kind: "done" }
  | { kind: "error"; message: string; stack?: string };


/** Runs every case in one child process at `threads` CPU threads, on the CPU or the GPU backend. */
export function measureEngine(
  cases: CalibrationCase[],
  threads: number,
  device: DeviceChoice,
  onProgress?: (index: number, c: CalibrationCase) => void,
): Promise<{ runtimeBytes: number; results: CalibrationMeasurement[] }> {
  return new Promise((resolve, reject) => {
    const child = forkSibling(import.meta.url, "measure-child");
    const lastLines = tailOutput(child, 20);
    let runtimeBytes = 0;
    const results: CalibrationMeasurement[] = [];
    let finished = false;
    let failure: string | undefined;
    child.on("message", (raw) => {
      const message = raw as MeasureMessage;
      if (message.kind === "runtime") runtimeBytes = message.runtimeBytes;
      else if (message.kind === "progress") onProgress?.(message.index, cases[message.index]!);
      else if (message.kind === "result") results[message.index] = message.result;
      else if (message.kind === "done") finished = true;
      else failure = message.message;
    });
    child.on("exit", (code, signal) => {
      if (finished && results.length === cases.length) return resolve({ runtimeBytes, results });
      const why = failure ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
      reject(new CalibrationFailedError(why, lastLines.join("\n")));
    });
    child.send({ cases, threads, device } satisfies MeasureRequest);
  });
}
