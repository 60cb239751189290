// One name per concept on the command line: --ctx is the context length everywhere; the generation commands' and
// rag ask's older --context-size still parses into the same value but is not shown in help. Parse only: commander
// with a dummy action, no model is loaded.
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerGenerate } from "../src/cli/commands/generate.js";
import { registerRag } from "../src/cli/commands/rag.js";
import { addModelOptions, hostOptionsFrom } from "../src/cli/generation-options.js";

/** The options of `args` after commander parses them through addModelOptions, with an action that does nothing. */
function parseModelOptions(args: string[]) {
  const command = addModelOptions(new Command("generate").exitOverride(), "adapter").action(() => {});
  command.parse(["-m", "model.gguf", ...args], { from: "user" });
  return command.opts();
}

function helpOf(register: (program: Command) => void, path: string[]): string {
  const program = new Command();
  register(program);
  let command = program;
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  return command.helpInformation();
}

describe("--ctx and its older name --context-size", () => {
  it("generate --help lists --ctx and not --context-size", () => {
    const help = helpOf(registerGenerate, ["generate"]);
    expect(help).toMatch(/--ctx <n>\s+tokens of context/);
    expect(help).not.toContain("--context-size");
  });

  it("rag ask --help lists --ctx and not --context-size", () => {
    const help = helpOf(registerRag, ["rag", "ask"]);
    expect(help).toMatch(/--ctx <n>\s+context window in tokens/);
    expect(help).not.toContain("--context-size");
  });

  it("--context-size 256 parses the same as --ctx 256, into the model host's context size", () => {
    const byCtx = parseModelOptions(["--ctx", "256"]);
    const byOldName = parseModelOptions(["--context-size", "256"]);
    expect(byCtx.ctx).toBe(256);
    expect(byOldName).toEqual(byCtx);
    expect(hostOptionsFrom(byOldName as Parameters<typeof hostOptionsFrom>[0]).contextSize).toBe(256);
    // Neither given: the host picks the model's own context.
    expect(hostOptionsFrom(parseModelOptions([]) as Parameters<typeof hostOptionsFrom>[0])).not.toHaveProperty("contextSize");
  });

  it("the one given last wins, as with a repeated flag; both names reject a non-positive value", () => {
    expect(parseModelOptions(["--ctx", "128", "--context-size", "512"]).ctx).toBe(512);
    expect(parseModelOptions(["--context-size", "512", "--ctx", "128"]).ctx).toBe(128);
    expect(() => parseModelOptions(["--ctx", "0"])).toThrow(/--ctx/);
    expect(() => parseModelOptions(["--context-size", "-3"])).toThrow(/--context-size/);
  });
});
