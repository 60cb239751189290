// --device and --threads for every command that computes: added once here to each such command (and subcommand),
// and applied once per process before the command's action runs (the device picks the node-llama-cpp build).
import { Option, type Command } from "commander";
import { DEVICE_CHOICES, parseDeviceChoice, selectDevice } from "../native/device-choice.js";
import { setThreadsOverride } from "../native/threads.js";
import { positiveInt } from "./options.js";

/** Top-level commands whose work runs a model (their subcommands get the options too). */
export const COMPUTE_COMMANDS = ["train", "ladder", "demo", "ppl", "eval", "generate", "chat", "prompts", "serve", "rag", "doctor"] as const;

const DEVICE_HELP =
  "compute device: auto (a real GPU when one is usable and the work fits its memory, else the CPU; never a software device such as llvmpipe), cpu, cuda, vulkan or metal / 계산 장치";
const THREADS_HELP = "CPU threads (default: every core ggml can use for math; 1 for models under 10M parameters) / CPU 스레드 수";

function addTo(command: Command): void {
  // Only leaves: a parent's option would swallow the flag before its subcommand sees it.
  if (command.commands.length > 0) {
    for (const sub of command.commands) addTo(sub);
    return;
  }
  const has = (flag: string) => command.options.some((o) => o.long === flag);
  if (!has("--device")) command.addOption(new Option("--device <device>", DEVICE_HELP).choices(DEVICE_CHOICES));
  if (!has("--threads")) command.option("--threads <n>", THREADS_HELP, positiveInt("--threads"));
}

export function addComputeOptions(program: Command): void {
  for (const command of program.commands) {
    if ((COMPUTE_COMMANDS as readonly string[]).includes(command.name())) addTo(command);
  }
}

/** Fixes the process's device and thread override from the parsed options (`--gpu` is the older name of --device). */
export function applyComputeOptions(options: Record<string, unknown>): void {
  const device = (options.device ?? options.gpu) as string | undefined;
  if (device !== undefined) selectDevice(parseDeviceChoice(device));
  if (typeof options.threads === "number") setThreadsOverride(options.threads);
}
