// The list of commands. Each command lives in its own file and only parses options and calls the public API.
import type { Command } from "commander";
import { registerPpl } from "./ppl.js";
import { registerRag } from "./rag.js";
import { registerData } from "./data.js";
import { registerDoctor } from "./doctor.js";

/** Adds every command to the program. Add one line per new command file. */
export function registerCommands(program: Command): void {
  for (const register of commandRegistrars) register(program);
}

const commandRegistrars: Array<(program: Command) => void> = [
  registerPpl,
  registerRag,
  registerData,
  registerDoctor,
];
