// The localtune command line: parses options and calls one public API function per command (see ./commands/).
import { Command, CommanderError } from "commander";
import { LocaltuneError } from "../errors.js";
import { getLang, setLang, type Lang } from "../i18n/index.js";
import { registerCommands } from "./commands/index.js";
import { addComputeOptions, applyComputeOptions } from "./compute-options.js";
import { localizeHelp } from "./help-language.js";
import { applyModelSourceOptions, OFFLINE_HELP } from "./model-source-options.js";

const program = new Command("localtune")
  .description(
    "Adapt an open-weight LLM to your own domain on your own PC.\n" +
      "내 PC에서 오픈 가중치 LLM을 내 분야에 맞게 조정합니다.",
  )
  .version("0.1.0")
  .option("--lang <lang>", "message language: ko or en (default: from the locale)")
  .option("--verbose", "print stack traces and native logs on errors")
  .option("--offline", OFFLINE_HELP)
  .showHelpAfterError()
  .exitOverride();

// The language is set from argv before parsing: commander validates option values (and reports their errors)
// before any action hook runs, and those messages must already be in the chosen language.
const langIndex = process.argv.findIndex((arg) => arg === "--lang" || arg.startsWith("--lang="));
if (langIndex >= 0) {
  const arg = process.argv[langIndex]!;
  const lang = arg.includes("=") ? arg.slice("--lang=".length) : process.argv[langIndex + 1];
  if (lang === "ko" || lang === "en") setLang(lang as Lang);
}
program.hook("preAction", (cmd) => {
  const lang = cmd.optsWithGlobals().lang as string | undefined;
  if (lang !== undefined && lang !== "ko" && lang !== "en") throw new LocaltuneError(`--lang must be "ko" or "en", got "${lang}".`);
});

registerCommands(program);
addComputeOptions(program);
localizeHelp(program);
program.hook("preAction", (_root, action) => applyComputeOptions(action.opts()));
program.hook("preAction", (_root, action) => applyModelSourceOptions(action.optsWithGlobals()));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, process.argv.includes("--verbose"));
}

/** One line for a user error, the stack only with --verbose; returns the exit code. */
function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed help or the parse error.
    return error.exitCode;
  }
  const prefix = getLang() === "ko" ? "오류" : "error";
  if (error instanceof LocaltuneError) {
    console.error(`${prefix}: ${error.localized()}`);
    if (verbose) console.error(error.stack);
    return 1;
  }
  const text = error instanceof Error ? error.message : String(error);
  console.error(`${prefix}: ${text}`);
  if (verbose && error instanceof Error) console.error(error.stack);
  else console.error(getLang() === "ko" ? "(자세한 내용은 --verbose)" : "(run with --verbose for details)");
  return 2;
}
