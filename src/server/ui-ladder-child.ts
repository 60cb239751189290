// Entry of a ladder job started from the local UI: runs the ladder in its own process (its scoring runs ggml in
// process, and a failed ggml assertion aborts the whole process) and reports events and errors over IPC.
import { LocaltuneError } from "../errors.js";
import type { Lang } from "../i18n/index.js";
import { runLadder, type LadderOptionsInput } from "../ladder/index.js";

if (!process.send) {
  console.error("usage: forked by localtune ui with the ladder options as its first message");
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);

process.once("message", async (raw) => {
  const { options, lang } = raw as { options: LadderOptionsInput; lang: Lang };
  try {
    const result = await runLadder(options, (event) => send({ kind: "event", event }), lang);
    send({ kind: "done", report: result.written, seconds: result.seconds });
    process.exitCode = 0;
  } catch (error) {
    const e = error as Error;
    send({ kind: "error", name: e.name, message: e.message, ko: error instanceof LocaltuneError ? error.ko : undefined });
    process.exitCode = 1;
  }
  // node-llama-cpp keeps handles open; the job is over, so leave now that the messages are flushed.
  process.disconnect?.();
});
