// Prefix tuning in the doctor's plan: p trainable key and value vectors per layer (direct parametrisation, no
// reparametrising MLP), which every query attends to: p more keys, the queries are still the real tokens.
import type { DoctorFormula, DoctorShape } from "../types.js";

export function prefixParams(s: DoctorShape, p: number): number {
  return s.nLayer * p * 2 * s.nHeadKv * s.headDim;
}

export const PREFIX_TUNING_DOCTOR_FORMULAS: readonly DoctorFormula[] = [
  { id: "prefix-tuning", level: 1, compute: "frozen", trainableParams: prefixParams, flopsPerParam: 0, extraPositions: "prefix-keys" },
];
