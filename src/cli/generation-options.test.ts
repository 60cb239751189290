// The sampling flags of generate, chat, prompts run and serve, generated from the sampling schema: parsed once by the
// schema, --stop repeatable, each command's own --max-tokens default. Parse only: the actions are replaced.
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { setLang } from "../i18n/index.js";
import { SamplingSchema } from "../prompt/index.js";
import { optionFields } from "../methods/option-fields.js";
import { registerChat } from "./commands/chat.js";
import { registerGenerate } from "./commands/generate.js";
import { registerPrompts } from "./commands/prompts.js";
import { registerServe } from "./commands/serve.js";
import { InvalidFlagValueError } from "./flag-value.js";
import { localizeHelp } from "./help-language.js";

afterEach(() => setLang("en"));

/** The command at `path` with an action that keeps its options instead of loading a model. */
function commandAt(register: (program: Command) => void, path: string[]) {
  const program = new Command("localtune").exitOverride().configureOutput({ writeErr: () => {} });
  register(program);
  let command = program;
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  let seen: Record<string, unknown> = {};
  command.exitOverride().action((options: Record<string, unknown>) => {
    seen = options;
  });
  return { program, command, parse: (args: string[]) => (program.parse([...path, "-m", "m.gguf", ...args], { from: "user" }), seen) };
}

function thrown(run: () => unknown): InvalidFlagValueError {
  try {
    run();
  } catch (e) {
    return e as InvalidFlagValueError;
  }
  throw new Error("no error");
}

describe("sampling flags", () => {
  it("are parsed by the sampling schema: typed values, and a bad one is an InvalidFlagValueError in both languages", () => {
    const { parse } = commandAt(registerGenerate, ["generate"]);
    expect(parse(["-p", "x", "-t", "0", "--top-k", "5", "--top-p", "0.5", "--min-p", "0", "--repeat-penalty", "1.1", "--seed", "7", "-n", "30"])).toMatchObject({
      temperature: 0,
      topK: 5,
      topP: 0.5,
      minP: 0,
      repeatPenalty: 1.1,
      seed: 7,
      maxTokens: 30,
    });
    const topK = thrown(() => parse(["--top-k", "1.5"]));
    expect(topK).toBeInstanceOf(InvalidFlagValueError);
    expect(topK.message).toBe('--top-k expects an integer, got "1.5". Example: --top-k 40');
    expect(topK.ko).toBe('--top-k에는 정수이(가) 필요하지만 "1.5"이(가) 주어졌습니다. 예: --top-k 40');
    expect(thrown(() => parse(["--temperature", "9"])).message).toBe('--temperature expects a number <= 5, got "9". Example: --temperature 0.8');
    expect(thrown(() => parse(["-n", "0"])).message).toMatch(/^--max-tokens expects an integer >= 1, got "0"/);
    expect(thrown(() => parse(["--seed", "-1"])).message).toMatch(/^--seed expects an integer >= 0/);
    expect(thrown(() => parse(["--stop", ""])).message).toBe('--stop expects a non-empty text, got "".');
    expect(thrown(() => parse(["--gpu-layers", "some"]))).toBeInstanceOf(InvalidFlagValueError);
  });

  it("--stop repeats, each one whole string even with a comma inside", () => {
    const { parse } = commandAt(registerGenerate, ["generate"]);
    expect(parse(["--stop", "Q:, A:", "--stop", "\n\n"]).stop).toEqual(["Q:, A:", "\n\n"]);
    expect(parse([]).stop).toBeUndefined();
  });

  it("keep each command's --max-tokens default, and the schema's other defaults to the API", () => {
    expect(commandAt(registerGenerate, ["generate"]).parse([])).not.toHaveProperty("maxTokens");
    const chat = commandAt(registerChat, ["chat"]);
    expect(chat.command.helpInformation()).toMatch(/-n, --max-tokens <n>\s+the most tokens to generate \(default 512\)/);
    expect(commandAt(registerPrompts, ["prompts", "run"]).command.helpInformation()).toMatch(/--max-tokens <n>\s+the most tokens to generate \(default 128\)/);
    const serve = commandAt(registerServe, ["serve"]);
    expect(serve.command.helpInformation()).toMatch(/--max-tokens <n>\s+max_tokens when a request gives none \(default\s+512\)/);
    expect(() => serve.parse(["--max-tokens", "0"])).toThrow(InvalidFlagValueError);
  });

  it("--help shows each default once, in the chosen language", () => {
    const { program, command } = commandAt(registerGenerate, ["generate"]);
    localizeHelp(program);
    const en = command.helpInformation().replace(/\s+/g, " ");
    expect(en.match(/default 0\.8/g)).toHaveLength(1);
    expect(en).toContain("--stop <text> stop when the output contains one of these strings (the string itself is not returned) (repeatable)");
    expect(en).not.toMatch(/[가-힣]/);
    setLang("ko");
    const ko = command.helpInformation().replace(/\s+/g, " ");
    expect(ko).toContain("-t, --temperature <x> 샘플링의 무작위성");
    expect(ko.match(/기본값 0\.8/g)).toHaveLength(1);
    expect(ko).not.toContain("randomness");
  });

  it("the sampling schema gives every field in Korean", () => {
    for (const field of optionFields(SamplingSchema)) {
      expect(field.descriptionKo, field.name).toBeDefined();
    }
  });
});
