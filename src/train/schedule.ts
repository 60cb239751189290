// Learning-rate schedules: constant, or linear / cosine decay, each after an optional linear warmup.
export type ScheduleName = "constant" | "linear" | "cosine";

export interface ScheduleSettings {
  schedule: ScheduleName;
  /** Peak learning rate. */
  lr: number;
  /** Steps of linear warmup from lr / warmup to lr. */
  warmup: number;
  /** Final learning rate as a fraction of the peak, for linear and cosine. */
  minLrRatio: number;
}

/** Learning rate of optimizer step `step` (1-based) out of `totalSteps`. */
export function learningRateAt(step: number, totalSteps: number, s: ScheduleSettings): number {
  if (s.warmup > 0 && step <= s.warmup) return (s.lr * step) / s.warmup;
  if (s.schedule === "constant") return s.lr;
  const decaySteps = Math.max(1, totalSteps - s.warmup);
  const progress = Math.min(1, Math.max(0, (step - s.warmup) / decaySteps));
  const floor = s.lr * s.minLrRatio;
  const shape = s.schedule === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return floor + (s.lr - floor) * shape;
}
