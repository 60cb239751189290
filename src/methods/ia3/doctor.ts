// IA3 in the doctor's plan with its default sites: per layer l_k and l_v [KV] and l_ff [F]. Letters: L layers,
// F feed-forward width, KV = K * D key/value width (K key/value heads, D head width; legend in arch/shape.ts).
import type { DoctorFormula, DoctorShape } from "../types.js";

export function ia3Params(s: DoctorShape): number {
  return s.nLayer * (2 * s.nHeadKv * s.headDim + s.nFf);
}

// Each vector value meets each token once: a multiply forward, and backward a multiply for the activation's gradient
// plus a multiply-add for the vector's own: 4 FLOPs per value per token.
export const IA3_DOCTOR_FORMULAS: readonly DoctorFormula[] = [{ id: "ia3", level: 1, compute: "frozen", trainableParams: ia3Params, flopsPerParam: 4 }];
