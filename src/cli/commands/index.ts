// The list of commands. Each command lives in its own file and only parses options and calls the public API.
import type { Command } from "commander";
import { registerPpl } from "./ppl.js";
import { registerTrain } from "./train.js";
import { registerRag } from "./rag.js";
import { registerGenerate } from "./generate.js";
import { registerChat } from "./chat.js";
import { registerPrompts } from "./prompts.js";
import { registerServe } from "./serve.js";
import { registerDoctor } from "./doctor.js";
import { registerData } from "./data.js";
import { registerEval } from "./eval.js";
import { registerReport } from "./report.js";
import { registerAdapters } from "./adapters.js";
import { registerLadder } from "./ladder.js";
import { registerDemo } from "./demo.js";
import { registerExportJob } from "./export-job.js";
import { registerExport } from "./export.js";
import { registerModels } from "./models.js";
import { registerUi } from "./ui.js";

/** Adds every command to the program. Add one line per new command file. */
export function registerCommands(program: Command): void {
  for (const register of commandRegistrars) register(program);
}

// In the order a person works: check the machine, prepare data, train, compare, evaluate, run, retrieve, hand on.
const commandRegistrars: Array<(program: Command) => void> = [
  registerDoctor,
  registerData,
  registerTrain,
  registerLadder,
  registerDemo,
  registerEval,
  registerPpl,
  registerReport,
  registerGenerate,
  registerChat,
  registerPrompts,
  registerServe,
  registerRag,
  registerAdapters,
  registerModels,
  registerExport,
  registerExportJob,
  registerUi,
];
