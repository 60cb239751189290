// One fuzz case, run the way a user runs it: a GGUF through `localtune ppl`'s path (our engine's loader, one
// forward pass per window, the tokenizer), or a PEFT folder through `adapters import`; and the reference question,
// does llama.cpp (node-llama-cpp) load the same file. Shared by test/gguf-fuzz.test.ts and bench/fuzz-case.ts.
import fs from "node:fs";
import { importPeftAdapter } from "../../src/adapters/index.js";
import { measurePerplexity } from "../../src/engine/measure-perplexity.js";
import { LocaltuneError } from "../../src/errors.js";
import { readGguf } from "../../src/formats/gguf/index.js";
import { loadLlamaModel } from "../../src/native/llama-runtime.js";

/** A short text to score: a few windows of stories260K's context. */
export const FUZZ_TEXT =
  "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big red ball. " +
  "She ran to the ball and kicked it high. The ball went over the fence. Lily was sad, but her friend Tom came to help her.";

/** What a case ended in: a finite result, a named (clean) error, or an error that is not one of ours. */
export type CaseOutcome = { kind: "ok"; value: number } | { kind: "clean error"; error: string } | { kind: "raw error"; error: string } | { kind: "NaN output"; value: number };

function classify(error: unknown): CaseOutcome {
  return error instanceof LocaltuneError ? { kind: "clean error", error: `${error.name}: ${error.message}` } : { kind: "raw error", error: String((error as Error)?.stack ?? error) };
}

/** `localtune ppl --model <file> --file <text> --ctx 32 --threads 1`, as a function. */
export async function runPplCase(model: string, textFile: string): Promise<CaseOutcome> {
  try {
    const result = await measurePerplexity({ model, file: textFile, ctx: 32, threads: 1 });
    return Number.isFinite(result.perplexity) ? { kind: "ok", value: result.perplexity } : { kind: "NaN output", value: result.perplexity };
  } catch (error) {
    return classify(error);
  }
}

/** `localtune adapters import --adapter <dir> --model stories260K --out <out>`; the output's alpha must be finite. */
export async function runPeftCase(adapter: string, model: string, out: string): Promise<CaseOutcome> {
  try {
    const result = await importPeftAdapter({ adapter, model, out });
    const alpha = readGguf(out).getFloat("adapter.lora.alpha");
    return Number.isFinite(alpha) && Number.isFinite(result.alpha) ? { kind: "ok", value: alpha } : { kind: "NaN output", value: alpha };
  } catch (error) {
    return classify(error);
  } finally {
    fs.rmSync(out, { force: true });
  }
}

/** Whether llama.cpp loads the file (weights and vocabulary): the reference for "a file llama.cpp refuses". */
export async function llamaCppAccepts(model: string): Promise<boolean> {
  try {
    const loaded = await loadLlamaModel(model, { gpu: "cpu" });
    await loaded.dispose();
    return true;
  } catch {
    return false;
  }
}
