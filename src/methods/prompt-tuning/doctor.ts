// Prompt tuning in the doctor's plan: p trainable input embeddings [E, p], placed before every sequence, so every
// sequence is p positions longer.
import type { DoctorFormula, DoctorShape } from "../types.js";

export function promptTuningParams(s: DoctorShape, p: number): number {
  return p * s.nEmbd;
}

export const PROMPT_TUNING_DOCTOR_FORMULAS: readonly DoctorFormula[] = [
  { id: "prompt-tuning", level: 1, compute: "frozen", trainableParams: promptTuningParams, flopsPerParam: 0, extraPositions: "virtual-tokens" },
];
