// --ctx, the one name for "tokens of context" across commands (train, eval, ppl, doctor, ladder, generate, chat,
// prompts, serve, rag ask). The generation commands and rag ask called it --context-size before: that name still
// parses, hidden from help, into the same `ctx` value, so a script written for either name keeps working.
import { Option, type Command } from "commander";
import { positiveInt } from "./options.js";

/** An option stored under another option's attribute: commander keys values by `attributeName()`, so the alias and
 *  the main flag share one value and the one given last wins, as with a repeated flag. */
class AliasOption extends Option {
  constructor(flags: string, private readonly target: string) {
    super(flags, `older name of --${target}`);
    this.hideHelp();
  }

  override attributeName(): string {
    return this.target;
  }
}

/** Adds `--ctx <n>` (a positive integer) with `help`, and the hidden `--context-size <n>` as its alias. */
export function addCtxOption(command: Command, help: string): Command {
  return command
    .option("--ctx <n>", help, positiveInt("--ctx"))
    .addOption(new AliasOption("--context-size <n>", "ctx").argParser(positiveInt("--context-size")));
}
