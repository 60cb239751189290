// Prefix tuning (Li & Liang 2021): the model stays frozen (in its stored type); every layer's attention gets P
// trainable key/value pairs in front, seen by every query. Trained directly (starting from the keys and values of real
// tokens), or (--reparam) through the paper's MLP from a small embedding, folded away at export: the adapter holds only
// the per-layer prefixes.
import fs from "node:fs";
import path from "node:path";
import type { GraphContext } from "../../engine/graph-context.js";
import { ParamStore } from "../../engine/param-store.js";
import { randomNormal, seededRandom } from "../../engine/random.js";
import type { GgmlTensor } from "../../native/ggml-bindings.js";
import { InvalidConfigError } from "../../errors.js";
import { fitToCount, randomVocabularyIds, tokenizeInitText } from "../prompt-tuning/init.js";
import type { MethodDefinition } from "../types.js";
import { loadPrefixAdapter, writePrefixAdapter } from "./adapter.js";
import { PREFIX_TUNING_DOCTOR_FORMULAS } from "./doctor.js";
import { prefixesFromTokens } from "./init.js";
import { buildPrefixMlp, computePrefixes, layerPrefix } from "./mlp.js";
import { PrefixTuningOptionsSchema, type PrefixTuningOptions } from "./options.js";
import { checkPrefixFitsWindow, mlpTensorShapes, mlpWidths, prefixKeyName, prefixParameterCount, prefixShape, prefixValueName } from "./shapes.js";

export { loadPrefixAdapter, writePrefixAdapter, type PrefixAdapter } from "./adapter.js";
export { PrefixTuningOptionsSchema, type PrefixTuningOptions } from "./options.js";

/** PyTorch's nn.Linear default (Kaiming uniform with a = sqrt(5)): weights and biases uniform in +-1/sqrt(fan_in). */
function uniformInit(n: number, fanIn: number, random: () => number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  return Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
}

export const prefixTuningMethod: MethodDefinition<PrefixTuningOptions> = {
  name: "prefix-tuning",
  summary: {
    en: "prefix tuning: P trainable key/value pairs in every layer's attention, the model frozen (--prefix-tokens, --reparam)",
    ko: "프리픽스 튜닝: 모든 층의 어텐션 앞에 학습되는 키/값 P쌍, 모델은 고정 (--prefix-tokens, --reparam)",
  },
  schema: PrefixTuningOptionsSchema,
  loadOptions: () => ({ f32Weights: false }),
  countTrainable: (_tensors, hp, options) => prefixParameterCount(hp, options),
  async resolveOptions(options, { modelPath }) {
    if (options.reparam || options.initText === undefined || options.initTokens !== undefined) return options;
    return { ...options, initTokens: await tokenizeInitText(modelPath, options.initText) };
  },
  prepare(model, options, seed) {
    const random = seededRandom(seed);
    const shape = prefixShape(model.hparams, options);
    const { D, K, P, L } = shape;
    checkPrefixFitsWindow(model.hparams, P);
    if (options.reparam && options.initText !== undefined) {
      throw new InvalidConfigError({
        en: "--init-text initialises the prefixes directly and cannot be combined with --reparam (the MLP starts at random); drop one of them",
        ko: "--init-text는 접두사를 직접 초기화하므로 --reparam(MLP는 무작위로 시작)과 함께 쓸 수 없습니다. 둘 중 하나를 빼세요",
      });
    }
    if (!options.reparam) {
      if (options.initText !== undefined && options.initTokens === undefined) {
        // prepare is synchronous and tokenizing needs node-llama-cpp: callers resolve the options first.
        throw new InvalidConfigError({
          en: "prefix tuning with initText needs its token ids: call prefixTuningMethod.resolveOptions before prepare",
          ko: "initText로 프리픽스 튜닝을 하려면 토큰 id가 필요합니다. prepare 전에 prefixTuningMethod.resolveOptions를 호출하세요",
        });
      }
      const ids = options.initTokens ? fitToCount(options.initTokens, P) : randomVocabularyIds(model, P, random);
      const store = new ParamStore(
        model,
        prefixesFromTokens(model, ids).flatMap((layer, il) => [
          { name: prefixKeyName(il), ne: [D, P, K], init: layer.k },
          { name: prefixValueName(il), ne: [D, P, K], init: layer.v },
        ]),
      );
      return {
        trainable: store.trainable(),
        hooks: { attentionPrefix: { count: P, kv: (_g, il) => ({ k: store.get(prefixKeyName(il)), v: store.get(prefixValueName(il)) }) } },
        dispose: () => store.dispose(),
      };
    }
    const widths = mlpWidths(model.hparams, options);
    const fanIn: Record<string, number> = { "prefix.mlp.w1": widths.Ein, "prefix.mlp.b1": widths.Ein, "prefix.mlp.w2": widths.M, "prefix.mlp.b2": widths.M };
    const store = new ParamStore(
      model,
      mlpTensorShapes(shape, widths).map(({ name, ne }) => {
        const n = ne.reduce((a, b) => a * b, 1);
        return { name, ne, init: fanIn[name] === undefined ? randomNormal(n, 1, random) : uniformInit(n, fanIn[name], random) };
      }),
    );
    // The MLP runs once per graph build; the layers read views of its output.
    const outputs = new WeakMap<GraphContext, GgmlTensor>();
    return {
      trainable: store.trainable(),
      hooks: {
        attentionPrefix: {
          count: P,
          kv(g, il) {
            let out = outputs.get(g);
            if (out === undefined) {
              out = buildPrefixMlp(g, (name) => store.get(name));
              outputs.set(g, out);
            }
            return { k: layerPrefix(g, out, shape, il, 0), v: layerPrefix(g, out, shape, il, 1) };
          },
        },
      },
      dispose: () => store.dispose(),
    };
  },
  output: "adapter",
  derivedOptions: ["initTokens"],
  async exportAdapter(options, { model, values, dir }) {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "adapter.gguf");
    const shape = prefixShape(model.hparams, options);
    const layers = options.reparam
      ? computePrefixes(model, values, shape, mlpWidths(model.hparams, options))
      : Array.from({ length: shape.L }, (_, il) => ({ k: values.get(prefixKeyName(il))!, v: values.get(prefixValueName(il))! }));
    await writePrefixAdapter(file, model, layers, shape.P, options.reparam);
    return file;
  },
  adapter: { type: "prefix-tuning", label: { en: "prefix-tuning", ko: "프리픽스 튜닝" }, llamaCppLoads: false, load: (model, file) => loadPrefixAdapter(file, model) },
  exportFormats: [{ format: "engine-gguf", path: "adapter/adapter.gguf" }],
  ladderPosition: 20,
  ladderVariants: [{ id: "prefix-tuning", label: "prefix tuning", options: {} }],
  defaultLr: 3e-2,
  doctorFormulas: PREFIX_TUNING_DOCTOR_FORMULAS,
};
