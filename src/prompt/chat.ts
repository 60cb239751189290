// Interactive chat: reads lines, streams the model's reply, keeps the history in the model's chat template.
// Lines starting with "/" are commands (/help, /exit, /reset, /system, /adapter <path> [scale], /adapter off).
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { LocaltuneError } from "../errors.js";
import { msg } from "../i18n/index.js";
import type { ChatMessage } from "../data/schema.js";
import type { ChatFormat } from "./chat-format.js";
import type { TextGenerator } from "./generator.js";
import type { AdapterSpec } from "./llama-generator.js";
import type { ModelHost } from "./model-host.js";
import { resolveSampling, type Sampling, type SamplingInput } from "./sampling.js";

export interface ChatOptions {
  /** The base model; each adapter set gets its path from the host (node-llama-cpp, or the engine for prompt tuning etc.). */
  host: ModelHost;
  input: Readable;
  output: Writable;
  /** Status lines (template notice, adapter switches, errors) go here; default: output. */
  info?: Writable;
  system?: string;
  adapters?: AdapterSpec[];
  sampling?: SamplingInput;
  /**
   * Retrieval for each question (`chat --rag`): given the question, the token budget and a token counter, returns the
   * turn's system instructions, the user message with the numbered sources, and a footer naming the sources.
   */
  retrieve?: (question: string, budget: number, countTokens: (text: string) => number) => Promise<{ system: string; user: string; footer: string }>;
}

export interface ChatSummary {
  turns: number;
  generatedTokens: number;
}

const M = {
  plainTemplate: {
    en: "note: this model has no chat template; using a plain layout (### Human / ### Assistant).",
    ko: "참고: 이 모델에는 대화 템플릿이 없어 단순 형식(### Human / ### Assistant)을 씁니다.",
  },
  template: { en: "chat template: {name}", ko: "대화 템플릿: {name}" },
  help: {
    en: "commands: /help  /exit  /reset (forget the conversation)  /system <text>  /adapter <path> [scale]  /adapter off",
    ko: "명령: /help  /exit  /reset (대화 지우기)  /system <내용>  /adapter <경로> [배율]  /adapter off",
  },
  adapterOn: { en: "adapter on: {id}", ko: "어댑터 적용: {id}" },
  adapterOff: { en: "adapter off: {id}", ko: "어댑터 해제: {id}" },
  reset: { en: "conversation cleared.", ko: "대화를 지웠습니다." },
  system: { en: "system prompt set.", ko: "시스템 프롬프트를 바꿨습니다." },
  unknown: { en: 'unknown command "{cmd}"; /help lists the commands.', ko: '알 수 없는 명령 "{cmd}"; /help로 명령 목록을 보세요.' },
  badScale: { en: 'adapter scale must be a number, got "{v}".', ko: '어댑터 배율은 숫자여야 하지만 "{v}"입니다.' },
  dropped: { en: "(the oldest {n} turns no longer fit the context and were dropped)", ko: "(컨텍스트에 맞지 않아 가장 오래된 {n}개 턴을 뺐습니다)" },
};

/** Runs the chat loop until /exit or the end of input. */
export async function runChat(options: ChatOptions): Promise<ChatSummary> {
  const { host, output } = options;
  const info = options.info ?? output;
  const say = (line: string) => info.write(line + "\n");
  const format: ChatFormat = host.chatFormat();
  say(format.fromModel ? msg(M.template, { name: format.name }) : msg(M.plainTemplate));
  say(msg(M.help));

  let adapters = options.adapters ?? [];
  let generator: TextGenerator = await host.generator(adapters);
  if (adapters.length > 0) say(msg(M.adapterOn, { id: generator.id }));
  let system = options.system;
  let history: ChatMessage[] = [];
  const baseSampling = resolveSampling(options.sampling);
  const summary: ChatSummary = { turns: 0, generatedTokens: 0 };

  const lines = readline.createInterface({ input: options.input, terminal: false });
  const prompt = () => {
    if ((output as NodeJS.WriteStream).isTTY) output.write("> ");
  };
  prompt();
  for await (const raw of lines) {
    const line = raw.normalize("NFC").trim();
    if (line === "") {
      prompt();
      continue;
    }
    if (line.startsWith("/")) {
      const [command, ...args] = line.split(/\s+/);
      if (command === "/exit" || command === "/quit") break;
      if (command === "/help") say(msg(M.help));
      else if (command === "/reset") {
        history = [];
        say(msg(M.reset));
      } else if (command === "/system") {
        system = line.slice("/system".length).trim() || undefined;
        say(msg(M.system));
      } else if (command === "/adapter") {
        try {
          const next = adapterCommand(args);
          const previous = adapters;
          const nextGenerator = await host.generator(next);
          // One adapter at a time: each holds its own KV cache (and, on the engine path, its own copy of the weights).
          // The base model stays loaded; switching to the adapter already in use keeps it.
          if (previous.length > 0 && nextGenerator !== generator) await host.release(previous);
          say(next.length > 0 ? msg(M.adapterOn, { id: nextGenerator.id }) : msg(M.adapterOff, { id: generator.id }));
          adapters = next;
          generator = nextGenerator;
        } catch (error) {
          say(error instanceof LocaltuneError ? error.localized() : (error as Error).message);
        }
      } else say(msg(M.unknown, { cmd: command ?? line }));
      prompt();
      continue;
    }

    const sampling: Sampling = { ...baseSampling, seed: baseSampling.seed + summary.turns };
    let footer: string | undefined;
    if (options.retrieve) {
      // The sources go into this turn's user message; older turns (with their sources) are dropped first when the
      // context fills. The RAG instructions replace the system prompt unless the user set one.
      const countTokens = (text: string) => format.render([{ role: "user", content: text }]).tokens.length;
      try {
        const turn = await options.retrieve(line, generator.contextSize - sampling.maxTokens, countTokens);
        history.push({ role: "user", content: turn.user });
        system = options.system ?? system ?? turn.system;
        footer = turn.footer;
      } catch (error) {
        if (!(error instanceof LocaltuneError)) throw error;
        say(error.localized());
        prompt();
        continue;
      }
    } else {
      history.push({ role: "user", content: line });
    }
    const { rendered, dropped } = fitHistory(format, system, history, generator.contextSize - sampling.maxTokens);
    if (dropped > 0) {
      history = history.slice(dropped);
      say(msg(M.dropped, { n: dropped }));
    }
    let result;
    try {
      result = await generator.generate({
        prompt: rendered.tokens,
        stopTriggers: rendered.stopTriggers,
        sampling,
        onText: (chunk) => output.write(chunk),
      });
    } catch (error) {
      // A turn that cannot run (e.g. one message longer than the context) is reported; the chat goes on without it.
      if (!(error instanceof LocaltuneError)) throw error;
      history.pop();
      say(error.localized());
      prompt();
      continue;
    }
    output.write("\n");
    if (footer) say(footer);
    history.push({ role: "assistant", content: result.text.trim() });
    summary.turns++;
    summary.generatedTokens += result.completionTokens;
    prompt();
  }
  lines.close();
  return summary;
}

/** Parses "/adapter off" and "/adapter <path> [scale]". */
function adapterCommand(args: string[]): AdapterSpec[] {
  const [target, scaleText] = args;
  if (target === undefined || target === "off" || target === "none") return [];
  if (scaleText === undefined) return [{ path: target }];
  const scale = Number(scaleText);
  if (!Number.isFinite(scale)) throw new LocaltuneError({ en: msg(M.badScale, { v: scaleText }, "en"), ko: msg(M.badScale, { v: scaleText }, "ko") });
  return [{ path: target, scale }];
}

/** Drops the oldest messages until the rendered conversation leaves `budget` tokens or only the last turn is left. */
function fitHistory(format: ChatFormat, system: string | undefined, history: ChatMessage[], budget: number) {
  const withSystem = (h: ChatMessage[]): ChatMessage[] => (system ? [{ role: "system", content: system }, ...h] : h);
  let dropped = 0;
  let rendered = format.render(withSystem(history));
  while (rendered.tokens.length > budget && history.length - dropped > 1) {
    dropped++;
    rendered = format.render(withSystem(history.slice(dropped)));
  }
  return { rendered, dropped };
}
