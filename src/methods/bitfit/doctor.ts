// BitFit in the doctor's plan: one bias on every projection output of every block (zero-initialised where the
// architecture has none). Letters: L layers, E embedding width, F feed-forward width, Q / KV query and key/value widths.
import type { DoctorFormula, DoctorShape } from "../types.js";

export function bitfitParams(s: DoctorShape): number {
  const Q = s.nHead * s.headDim;
  const KV = s.nHeadKv * s.headDim;
  return s.nLayer * (Q + 2 * KV + s.nEmbd + 2 * s.nFf + s.nEmbd);
}

// A bias gradient is a sum over tokens: one add per bias value per token.
export const BITFIT_DOCTOR_FORMULAS: readonly DoctorFormula[] = [{ id: "bitfit", level: 1, compute: "frozen", trainableParams: bitfitParams, flopsPerParam: 1 }];
