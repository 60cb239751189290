// LoRA in the doctor's plan: trainable parameters from the model's shape alone, and the rungs it plans (low rank,
// the usual rank on the file's base, and on a Q8_0 / Q4_K base). Letters: L layers, E embedding width, F feed-forward
// width, Q = H * D query width, KV = K * D key/value width (legend in arch/shape.ts), r rank.
import type { DoctorFormula, DoctorShape } from "../types.js";

/** LoRA on all seven projections of every block (the QLoRA paper's finding that every linear layer matters):
 *  A [in, r] and B [r, out] per matrix, r * (in + out). */
export function loraParams(s: DoctorShape, rank: number): number {
  const Q = s.nHead * s.headDim;
  const KV = s.nHeadKv * s.headDim;
  const E = s.nEmbd;
  const perLayer = (E + Q) + 2 * (E + KV) + (Q + E) + 2 * (E + s.nFf) + (s.nFf + E);
  return s.nLayer * rank * perLayer;
}

/** A LoRA rung of `rank`; the adapter's own matmuls cost forward 2 r(in+out) and backward 4 r(in+out) = 6 per parameter. */
export function loraFormula(id: string, rank: number, level: 2 | 3, baseType?: string): DoctorFormula {
  return { id, level, compute: "frozen", trainableParams: (s) => loraParams(s, rank), flopsPerParam: 6, ...(baseType ? { baseType } : {}) };
}

export const LORA_DOCTOR_FORMULAS: readonly DoctorFormula[] = [
  loraFormula("lora-r2", 2, 2),
  loraFormula("lora-r16", 16, 3),
  loraFormula("lora-r16-q8_0", 16, 3, "q8_0"),
  loraFormula("lora-r16-q4_K", 16, 3, "q4_K"),
];
