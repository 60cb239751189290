// Prompt tuning (Lester et al. 2021): the model stays frozen (in its stored type, quantized included); N trainable
// virtual-token embeddings [E, N] are placed before every sequence at positions 0..N-1, the real tokens follow at
// N.. . They start as embeddings of real tokens: those of --init-text, or of random vocabulary tokens.
import fs from "node:fs";
import path from "node:path";
import { InvalidConfigError } from "../../errors.js";
import { ParamStore } from "../../engine/param-store.js";
import { seededRandom } from "../../engine/random.js";
import type { MethodDefinition } from "../types.js";
import { loadPromptAdapter, PROMPT_TENSOR, writePromptAdapter } from "./adapter.js";
import { PROMPT_TUNING_DOCTOR_FORMULAS } from "./doctor.js";
import { embeddingRows, fitToCount, randomVocabularyIds, tokenizeInitText } from "./init.js";
import { PromptTuningOptionsSchema, type PromptTuningOptions } from "./options.js";

export { loadPromptAdapter, writePromptAdapter, PROMPT_TENSOR, type PromptAdapter } from "./adapter.js";
export { PromptTuningOptionsSchema, type PromptTuningOptions } from "./options.js";

export const promptTuningMethod: MethodDefinition<PromptTuningOptions> = {
  name: "prompt-tuning",
  summary: {
    en: "prompt tuning: N trainable virtual tokens before every input, the model frozen (--virtual-tokens, --init-text)",
    ko: "프롬프트 튜닝: 모든 입력 앞에 학습되는 가상 토큰 N개, 모델은 고정 (--virtual-tokens, --init-text)",
  },
  schema: PromptTuningOptionsSchema,
  loadOptions: () => ({ f32Weights: false }),
  countTrainable: (_tensors, hp, options) => hp.nEmbd * options.virtualTokens,
  async resolveOptions(options, { modelPath }) {
    if (options.initText === undefined || options.initTokens !== undefined) return options;
    return { ...options, initTokens: await tokenizeInitText(modelPath, options.initText) };
  },
  prepare(model, options, seed) {
    const N = options.virtualTokens;
    if (options.initText !== undefined && options.initTokens === undefined) {
      // prepare is synchronous and tokenizing needs node-llama-cpp: callers resolve the options first.
      throw new InvalidConfigError({
        en: "prompt tuning with initText needs its token ids: call promptTuningMethod.resolveOptions before prepare",
        ko: "initText로 프롬프트 튜닝을 하려면 토큰 id가 필요합니다. prepare 전에 promptTuningMethod.resolveOptions를 호출하세요",
      });
    }
    const ids = options.initTokens ? fitToCount(options.initTokens, N) : randomVocabularyIds(model, N, seededRandom(seed));
    const store = new ParamStore(model, [{ name: PROMPT_TENSOR, ne: [model.hparams.nEmbd, N], init: embeddingRows(model, ids) }]); // [E, N]
    const embd = store.get(PROMPT_TENSOR);
    return {
      trainable: store.trainable(),
      hooks: { virtualTokens: { count: N, embed: () => embd } },
      dispose: () => store.dispose(),
    };
  },
  output: "adapter",
  derivedOptions: ["initTokens"],
  async exportAdapter(options, { model, values, dir }) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "adapter.gguf");
    await writePromptAdapter(file, model, values.get(PROMPT_TENSOR)!, options.virtualTokens, options.initText);
    return file;
  },
  adapter: { type: "prompt-tuning", label: { en: "prompt-tuning", ko: "프롬프트 튜닝" }, llamaCppLoads: false, load: (model, file) => loadPromptAdapter(file, model) },
  exportFormats: [{ format: "engine-gguf", path: "adapter/adapter.gguf" }],
  ladderPosition: 10,
  ladderVariants: [{ id: "prompt-tuning", label: "prompt tuning", options: {} }],
  // Higher than the others: a few freshly initialised parameters (0.1 beat 0.03 on the demo, see ladder/rungs.ts).
  defaultLr: 1e-1,
  doctorFormulas: PROMPT_TUNING_DOCTOR_FORMULAS,
};
