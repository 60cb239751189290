// Which projections LoRA adapts, with their shapes: one A [in, r] and one B [r, out] per adapted weight.
import type { ModelHparams } from "../../arch/hparams.js";
import { blockProjections, type ArchDefinition } from "../../arch/types.js";
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
  const shapes = blockProjections(arch, hp);
  const known = Object.keys(shapes);
  const unknown = wanted.filter((t) => !known.includes(t));
  if (unknown.length > 0) {
    throw new InvalidConfigError({
      en: `unknown LoRA target(s) ${unknown.join(", ")} for ${arch.name}; choose from ${known.join(", ")}`,
      ko: `${arch.name}에 없는 LoRA 대상 ${unknown.join(", ")}. 다음 중에서 고르세요: ${known.join(", ")}`,
    });
  }
  const targets: LoraTarget[] = [];
  for (let il = 0; il < hp.nLayer; il++) {
    for (const t of wanted) targets.push({ name: `blk.${il}.${t}`, ...shapes[t]! });
  }
  return targets;
}
