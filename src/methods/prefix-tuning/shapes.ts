// Shapes and tensor names of prefix tuning. Shape letters: L layers, D head width, K kv heads, P prefix length,
// S = 2 * L * K * D (every layer's keys and values for one prefix position), E' MLP input width, M MLP hidden width.
import type { ModelHparams } from "../../arch/hparams.js";
import { InvalidConfigError } from "../../errors.js";
import type { PrefixTuningOptions } from "./options.js";

export const prefixKeyName = (layer: number) => `blk.${layer}.prefix_k`;
export const prefixValueName = (layer: number) => `blk.${layer}.prefix_v`;

/** Tensors of the reparameterisation MLP (trained, then folded into the per-layer prefixes at export). */
export const MLP_TENSORS = { embd: "prefix.embd", w1: "prefix.mlp.w1", b1: "prefix.mlp.b1", w2: "prefix.mlp.w2", b2: "prefix.mlp.b2" } as const;

export interface PrefixShape {
  L: number;
  D: number;
  K: number;
  P: number;
  /** Elements of one prefix position over all layers' keys and values. */
  S: number;
}

export function prefixShape(hp: ModelHparams, options: PrefixTuningOptions): PrefixShape {
  const { nLayer: L, headDim: D, nHeadKv: K } = hp;
  return { L, D, K, P: options.prefixTokens, S: 2 * L * K * D };
}

/** The MLP's widths: input E' (default the model's E) and hidden M. */
export function mlpWidths(hp: ModelHparams, options: PrefixTuningOptions): { Ein: number; M: number } {
  return { Ein: options.reparamEmbd ?? hp.nEmbd, M: options.reparamHidden };
}

/** Trainable parameters: the prefixes themselves, or the MLP and its input embedding. */
export function prefixParameterCount(hp: ModelHparams, options: PrefixTuningOptions): number {
  const { P, S } = prefixShape(hp, options);
  if (!options.reparam) return P * S;
  const { Ein, M } = mlpWidths(hp, options);
  return Ein * P + Ein * M + M + M * S + S;
}

/** ggml shapes of the MLP tensors: embedding [E', P], w1 [E', M], b1 [M], w2 [M, S], b2 [S]. */
export function mlpTensorShapes(shape: PrefixShape, widths: { Ein: number; M: number }): Array<{ name: string; ne: number[] }> {
  const { P, S } = shape;
  const { Ein, M } = widths;
  return [
    { name: MLP_TENSORS.embd, ne: [Ein, P] },
    { name: MLP_TENSORS.w1, ne: [Ein, M] },
    { name: MLP_TENSORS.b1, ne: [M] },
    { name: MLP_TENSORS.w2, ne: [M, S] },
    { name: MLP_TENSORS.b2, ne: [S] },
  ];
}

/**
 * On a sliding-window model the prefix sits at the P positions before the sequence, so it must fit the window with
 * room for the query's own key (P <= W - 1), or windowed layers could never see it.
 */
export function checkPrefixFitsWindow(hp: ModelHparams, P: number): void {
  const window = hp.slidingWindow;
  if (window && P > window.width - 1) {
    throw new InvalidConfigError({
      en: `a prefix of ${P} positions does not fit ${hp.arch}'s sliding window of ${window.width}: use --prefix-tokens ${window.width - 1} or fewer`,
      ko: `${P}개 위치의 프리픽스는 ${hp.arch}의 슬라이딩 윈도 ${window.width}에 들어가지 않습니다. --prefix-tokens를 ${window.width - 1} 이하로 하세요`,
    });
  }
}
