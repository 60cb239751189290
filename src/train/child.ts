// Entry of the training child process: runs the loop for one run folder and reports events and errors over IPC.
// Ctrl-C (SIGINT from the terminal, or the supervisor's stop message over IPC) asks the loop to finish its step,
// write a checkpoint and stop.
import { LocaltuneError } from "../errors.js";
import { runTrainingLoop, type LoopControl } from "./loop.js";
import { isStopMessage } from "./stop-message.js";

const runDir = process.argv[2];
if (!runDir || !process.send) {
  console.error("usage: forked by localtune's training job with a run folder argument");
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);
const control: LoopControl = { stopRequested: false };
process.on("SIGINT", () => {
  control.stopRequested = true;
});
process.on("SIGTERM", () => {
  control.stopRequested = true;
});
process.on("message", (message) => {
  if (isStopMessage(message)) control.stopRequested = true;
});

try {
  await runTrainingLoop(runDir, control, (event) => send({ kind: "event", event }));
  process.exitCode = 0;
} catch (error) {
  const e = error as Error;
  send({ kind: "error", name: e.name, message: e.message, ko: error instanceof LocaltuneError ? error.ko : undefined, stack: e.stack });
  process.exitCode = 1;
}
// node-llama-cpp keeps handles open; the job is over, so leave now that the IPC messages are flushed.
process.disconnect?.();
