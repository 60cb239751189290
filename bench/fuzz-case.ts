// The child of `npm run fuzz` (bench/fuzz.ts): runs the cases its parent sends over IPC, one at a time, and answers
// each with its outcome. It rebuilds each mutant from (seed, index), so only numbers cross the pipe. A case that
// aborts or hangs takes this process with it; the parent counts that and starts another.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exportPeftAdapter } from "../src/adapters/index.js";
import { FUZZ_TEXT, llamaCppAccepts, runPeftCase, runPplCase } from "../test/helpers/fuzz-cases.js";
import { ggufMutant, peftMutant, STORIES_260K, writePeftFolder } from "../test/helpers/fuzz-mutants.js";
import { writeTinyLora } from "../test/helpers/tiny-lora.js";

export interface FuzzRequest {
  family: "gguf" | "peft";
  seed: number;
  index: number;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lt-fuzz-case-"));
const textFile = path.join(dir, "text.txt");
fs.writeFileSync(textFile, FUZZ_TEXT);
const peftBase = path.join(dir, "peft");
let peftReady: Promise<unknown> | undefined;
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

async function run(request: FuzzRequest): Promise<void> {
  const send = (message: object) => process.send!({ index: request.index, ...message });
  if (request.family === "gguf") {
    const mutant = ggufMutant(request.seed, request.index);
    const file = path.join(dir, "mutant.gguf");
    fs.writeFileSync(file, mutant.bytes);
    const outcome = await runPplCase(file, textFile);
    send({ phase: "ours", kind: mutant.kind, what: mutant.what, outcome });
    // Only a file we scored needs the reference: does llama.cpp load it? (An abort here is llama.cpp refusing.)
    if (outcome.kind === "ok") send({ phase: "reference", accepts: await llamaCppAccepts(file) });
    send({ phase: "done" });
    return;
  }
  peftReady ??= writeTinyLora(path.join(dir, "lora.gguf")).then(() => exportPeftAdapter({ adapter: path.join(dir, "lora.gguf"), model: STORIES_260K, out: peftBase }));
  await peftReady;
  const mutant = peftMutant({ dir: peftBase }, request.seed, request.index);
  const adapter = path.join(dir, "peft-mutant");
  fs.rmSync(adapter, { recursive: true, force: true });
  writePeftFolder(adapter, mutant.folder);
  const outcome = await runPeftCase(adapter, STORIES_260K, path.join(dir, "out.gguf"));
  send({ phase: "ours", kind: mutant.kind, what: mutant.what, outcome });
  send({ phase: "done" });
}

let chain = Promise.resolve();
process.on("message", (request: FuzzRequest) => {
  chain = chain.then(() => run(request)).catch((error: unknown) => void process.send!({ index: request.index, phase: "ours", kind: "?", what: "?", outcome: { kind: "raw error", error: String(error) } }));
});
process.send!({ phase: "ready" });
