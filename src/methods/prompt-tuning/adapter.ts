// Saved prompt-tuning adapters: one tensor prompt.embd F32 [E, N] (virtual token i is column i) and the count in
// adapter.prompt_tuning.virtual_tokens. Loading one gives the decoder hooks that put the virtual tokens before every
// sequence, at positions 0..N-1 with the real tokens after them, exactly as in training.
import type { DecoderHooks } from "../../engine/graph/hooks.js";
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import type { GgufValue } from "../../formats/gguf/index.js";
import { openSoftPromptAdapter, writeSoftPromptAdapter } from "./adapter-file.js";

export const PROMPT_TENSOR = "prompt.embd";
export const PROMPT_COUNT_KEY = "adapter.prompt_tuning.virtual_tokens";

export interface PromptAdapter {
  readonly file: string;
  /** Virtual tokens N. */
  readonly count: number;
  /** [E, N]: virtual token i at [i * E, (i + 1) * E). */
  readonly embeddings: Float32Array;
  /** Prepends the virtual tokens (forwardLogits, Trainer, evaluation). */
  readonly hooks: DecoderHooks;
  /** Frees the embeddings' backend buffer. */
  dispose(): void;
}

export async function writePromptAdapter(file: string, model: EngineModel, embeddings: Float32Array, count: number, initText?: string): Promise<void> {
  const metadata: Record<string, GgufValue> = { [PROMPT_COUNT_KEY]: { type: "uint32", value: count } };
  if (initText !== undefined) metadata["adapter.prompt_tuning.init_text"] = { type: "string", value: initText };
  await writeSoftPromptAdapter(file, model, "prompt-tuning", metadata, [{ name: PROMPT_TENSOR, ne: [model.hparams.nEmbd, count], data: embeddings }]);
}

/** Opens a prompt-tuning adapter for `model`; AdapterFormatError / AdapterMismatchError name what does not fit. */
export function loadPromptAdapter(file: string, model: EngineModel): PromptAdapter {
  const opened = openSoftPromptAdapter(file, model, "prompt-tuning");
  const count = opened.count(PROMPT_COUNT_KEY);
  const E = model.hparams.nEmbd;
  const embeddings = opened.tensor(PROMPT_TENSOR, [E, count], { en: `embedding width ${E} x ${count} virtual tokens`, ko: `임베딩 폭 ${E} x 가상 토큰 ${count}개` });
  const store = new ParamStore(model, [{ name: PROMPT_TENSOR, ne: [E, count], init: embeddings }]);
  const tensor = store.get(PROMPT_TENSOR);
  return {
    file,
    count,
    embeddings,
    hooks: { virtualTokens: { count, embed: () => tensor } },
    dispose: () => store.dispose(),
  };
}
