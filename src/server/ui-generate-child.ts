// The local UI's generation worker: a child process that runs generateText for the Playground (node-llama-cpp and our
// ggml engine run native code that can abort the process), streaming text back over IPC, one request at a time.
import { LocaltuneError } from "../errors.js";
import { generateText, type GenerateTextOptions } from "../prompt/index.js";

if (!process.send) {
  console.error("usage: forked by localtune ui");
  process.exit(2);
}
const send = (message: unknown) => process.send?.(message);
const running = new Map<number, AbortController>();
let queue = Promise.resolve();

process.on("message", (raw) => {
  const message = raw as { kind: "generate"; id: number; options: Omit<GenerateTextOptions, "onText" | "signal"> } | { kind: "abort"; id: number };
  if (message.kind === "abort") return void running.get(message.id)?.abort();
  const controller = new AbortController();
  running.set(message.id, controller);
  // One at a time: the machine's cores serve one generation best, and the order of requests is kept.
  queue = queue.then(async () => {
    try {
      if (controller.signal.aborted) throw new LocaltuneError({ en: "generation stopped.", ko: "생성을 멈췄습니다." });
      const result = await generateText({ ...message.options, signal: controller.signal, onText: (text) => send({ kind: "text", id: message.id, text }) });
      send({ kind: "done", id: message.id, result: { model: result.model, text: result.text, stopReason: result.stopReason, chatTemplate: result.chatTemplate ?? null } });
    } catch (error) {
      const e = error as Error;
      send({ kind: "error", id: message.id, error: { name: e.name, en: e.message, ko: error instanceof LocaltuneError && error.ko ? error.ko : e.message } });
    } finally {
      running.delete(message.id);
    }
  });
});
