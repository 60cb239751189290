// The IA3 vectors of a model: one per layer and site, named blk.N.ia3_k [D*K], blk.N.ia3_v [D*K], blk.N.ia3_ff [F].
import type { ModelHparams } from "../../arch/hparams.js";
import type { Ia3Options, Ia3Site } from "./options.js";

export interface Ia3Vector {
  name: string;
  layer: number;
  site: Ia3Site;
  length: number;
}

export function ia3VectorName(layer: number, site: Ia3Site): string {
  return `blk.${layer}.ia3_${site}`;
}

export function ia3Vectors(hp: ModelHparams, options: Ia3Options): Ia3Vector[] {
  const kv = hp.headDim * hp.nHeadKv;
  const lengths: Record<Ia3Site, number> = { k: kv, v: kv, ff: hp.nFf };
  const out: Ia3Vector[] = [];
  for (let layer = 0; layer < hp.nLayer; layer++) {
    for (const site of options.sites) out.push({ name: ia3VectorName(layer, site), layer, site, length: lengths[site] });
  }
  return out;
}
