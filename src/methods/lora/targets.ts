// Which projections LoRA adapts, with their shapes: one A [in, r] and one B [r, out] per adapted weight.
import type { ModelHparams } from "../../arch/hparams.js";
import { ALL_PROJECTIONS, type ArchDefinition } from "../../arch/types.js";
import { InvalidConfigError } from "../../errors.js";
import type { LoraOptions } from "./options.js";

export interface LoraTarget {
  /** Projection name as the decoder's linear hook sees it, e.g. "blk.3.attn_q". */
  name: string;
  /** Input width (ne[0] of the weight) and output width (ne[1]). */
  nIn: number;
  nOut: number;
}

export function loraTargets(arch: ArchDefinition, hp: ModelHparams, options: LoraOptions): LoraTarget[] {
  const wanted = options.targets ?? [...arch.defaultLoraTargets];
  const unknown = wanted.filter((t) => !ALL_PROJECTIONS.includes(t));
  if (unknown.length > 0) {
    throw new InvalidConfigError({
      en: `unknown LoRA target(s) ${unknown.join(", ")}; choose from ${ALL_PROJECTIONS.join(", ")}`,
      ko: `알 수 없는 LoRA 대상 ${unknown.join(", ")}. 다음 중에서 고르세요: ${ALL_PROJECTIONS.join(", ")}`,
    });
  }
  const q = hp.headDim * hp.nHead;
  const kv = hp.headDim * hp.nHeadKv;
  const shapes: Record<string, [number, number]> = {
    attn_q: [hp.nEmbd, q],
    attn_k: [hp.nEmbd, kv],
    attn_v: [hp.nEmbd, kv],
    attn_output: [q, hp.nEmbd],
    ffn_gate: [hp.nEmbd, hp.nFf],
    ffn_up: [hp.nEmbd, hp.nFf],
    ffn_down: [hp.nFf, hp.nEmbd],
  };
  const targets: LoraTarget[] = [];
  for (let il = 0; il < hp.nLayer; il++) {
    for (const t of wanted) {
      const [nIn, nOut] = shapes[t]!;
      targets.push({ name: `blk.${il}.${t}`, nIn, nOut });
    }
  }
  return targets;
}
