// Which projections BitFit gives a trainable bias, with their output widths: those the architecture declares llama.cpp's
// loader reads (ArchDefinition.bitfitBiases, with their provenance in src/arch/<name>.ts), so every trained bias
// survives export to a GGUF model.
import type { ModelHparams } from "../../arch/hparams.js";
import { ARCHITECTURES, findArchitecture } from "../../arch/registry.js";
import { projectionWidths } from "../../arch/types.js";
import { InvalidConfigError } from "../../errors.js";

/** Biases llama.cpp reads, by architecture, from the architectures registered now (plugins included). */
export function llamaCppBiases(): Readonly<Record<string, readonly string[]>> {
  return Object.fromEntries(ARCHITECTURES.map((a) => [a.name, a.bitfitBiases]));
}

/** "llama: attn_q, ...; qwen2: ..." from the registered architectures' declarations, for help text. */
export function biasesByArchitecture(): string {
  return ARCHITECTURES.map((a) => `${a.name}: ${a.bitfitBiases.join(", ")}`).join("; ");
}

export interface BitfitTarget {
  /** Projection as the decoder's linear hook names it, e.g. "blk.3.attn_q". */
  projection: string;
  /** GGUF name of its bias, e.g. "blk.3.attn_q.bias". */
  bias: string;
  /** Output width of the projection: the bias length. */
  length: number;
}

/** The projections (without "blk.N.") BitFit trains on this architecture: the given ones, else all llama.cpp reads. */
export function bitfitProjections(hp: ModelHparams, targets: readonly string[] | undefined): readonly string[] {
  const allowed = findArchitecture(hp.arch).bitfitBiases;
  const wanted = targets ?? allowed;
  const refused = wanted.filter((t) => !allowed.includes(t));
  if (refused.length > 0) {
    throw new InvalidConfigError({
      en: `BitFit target(s) "${refused.join(", ")}" cannot be used on ${hp.arch}: llama.cpp's ${hp.arch} loader reads biases only on ${allowed.join(", ")}. Choose from those.`,
      ko: `BitFit 대상 "${refused.join(", ")}"은(는) ${hp.arch}에서 쓸 수 없습니다: llama.cpp의 ${hp.arch} 로더는 ${allowed.join(", ")}의 바이어스만 읽습니다. 이 중에서 고르세요.`,
    });
  }
  return wanted;
}

export function bitfitTargets(hp: ModelHparams, targets: readonly string[] | undefined): BitfitTarget[] {
  const widths = projectionWidths(findArchitecture(hp.arch), hp);
  const projections = bitfitProjections(hp, targets);
  const out: BitfitTarget[] = [];
  for (let il = 0; il < hp.nLayer; il++) {
    for (const p of projections) out.push({ projection: `blk.${il}.${p}`, bias: `blk.${il}.${p}.bias`, length: widths[p]! });
  }
  return out;
}
