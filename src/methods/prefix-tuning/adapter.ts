// Saved prefix-tuning adapters: per layer blk.N.prefix_k and blk.N.prefix_v, F32 [D, P, K] (head width, prefix
// length, kv heads), with adapter.prefix_tuning.prefix_tokens = P and adapter.prefix_tuning.block_count = L. Keys are
// used as stored (no RoPE) and every query attends to all P of them; the real tokens keep positions 0.. .
// A reparameterised run saves the MLP's output, so using the adapter needs no MLP.
import type { DecoderHooks } from "../../engine/graph/hooks.js";
import type { EngineModel } from "../../engine/model.js";
import { ParamStore } from "../../engine/param-store.js";
import { AdapterMismatchError } from "../../errors.js";
import { openSoftPromptAdapter, writeSoftPromptAdapter } from "../prompt-tuning/adapter-file.js";
import { prefixKeyName, prefixValueName, checkPrefixFitsWindow } from "./shapes.js";

export const PREFIX_COUNT_KEY = "adapter.prefix_tuning.prefix_tokens";
export const PREFIX_LAYERS_KEY = "adapter.prefix_tuning.block_count";

export interface PrefixAdapter {
  readonly file: string;
  /** Prefix length P. */
  readonly count: number;
  /** Per layer, keys and values [D, P, K]: element (d, p, kh) at d + D * (p + P * kh). */
  readonly layers: ReadonlyArray<{ k: Float32Array; v: Float32Array }>;
  /** Adds the prefixes to every layer's attention (forwardLogits, Trainer, evaluation). */
  readonly hooks: DecoderHooks;
  /** Frees the prefixes' backend buffer. */
  dispose(): void;
}

export async function writePrefixAdapter(
  file: string,
  model: EngineModel,
  layers: ReadonlyArray<{ k: Float32Array; v: Float32Array }>,
  count: number,
  reparam: boolean,
): Promise<void> {
  const { headDim: D, nHeadKv: K } = model.hparams;
  await writeSoftPromptAdapter(
    file,
    model,
    "prefix-tuning",
    {
      [PREFIX_COUNT_KEY]: { type: "uint32", value: count },
      [PREFIX_LAYERS_KEY]: { type: "uint32", value: layers.length },
      "adapter.prefix_tuning.reparameterised": { type: "bool", value: reparam },
    },
    layers.flatMap((layer, il) => [
      { name: prefixKeyName(il), ne: [D, count, K], data: layer.k },
      { name: prefixValueName(il), ne: [D, count, K], data: layer.v },
    ]),
  );
}

/** Opens a prefix-tuning adapter for `model`; AdapterFormatError / AdapterMismatchError name what does not fit. */
export function loadPrefixAdapter(file: string, model: EngineModel): PrefixAdapter {
  const opened = openSoftPromptAdapter(file, model, "prefix-tuning");
  const P = opened.count(PREFIX_COUNT_KEY);
  const L = opened.count(PREFIX_LAYERS_KEY);
  const { nLayer, headDim: D, nHeadKv: K } = model.hparams;
  checkPrefixFitsWindow(model.hparams, P);
  if (L !== nLayer) {
    throw new AdapterMismatchError(file, model.file.file, {
      en: `the adapter has prefixes for ${L} layers, the model has ${nLayer}`,
      ko: `어댑터에는 ${L}개 층의 접두사가 있는데 모델은 ${nLayer}개 층입니다`,
    });
  }
  const what = { en: `head width ${D} x ${P} prefix tokens x ${K} kv heads`, ko: `헤드 폭 ${D} x 접두 토큰 ${P}개 x kv 헤드 ${K}개` };
  const layers = Array.from({ length: L }, (_, il) => ({
    k: opened.tensor(prefixKeyName(il), [D, P, K], what),
    v: opened.tensor(prefixValueName(il), [D, P, K], what),
  }));
  const store = new ParamStore(
    model,
    layers.flatMap((layer, il) => [
      { name: prefixKeyName(il), ne: [D, P, K], init: layer.k },
      { name: prefixValueName(il), ne: [D, P, K], init: layer.v },
    ]),
  );
  return {
    file,
    count: P,
    layers,
    hooks: { attentionPrefix: { count: P, kv: (_g, il) => ({ k: store.get(prefixKeyName(il)), v: store.get(prefixValueName(il)) }) } },
    dispose: () => store.dispose(),
  };
}
