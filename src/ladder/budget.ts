// The ladder's training budget: a number of training tokens or a wall-clock time, the same for every training rung.
// A token budget gives each rung the same optimizer steps on any machine; a time budget stops each rung when its
// time is spent (so faster methods see more data, as they would on the user's clock).
import { InvalidConfigError } from "../errors.js";

export type Budget = { kind: "tokens"; tokens: number } | { kind: "seconds"; seconds: number };

const TIME = /^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$/i;
const TOKENS = /^(\d+(?:\.\d+)?)\s*(k|m)?\s*(tok|toks|tokens?)?$/i;

/**
 * Parses "90s", "5m", "5min", "1.5h" (time per training rung) or "50000", "50k", "2M tokens" (training tokens per
 * rung). A bare "m" after a number means minutes; write "2M tokens" or "2000000" for millions of tokens.
 */
export function parseBudget(text: string): Budget {
  const value = text.trim();
  const time = TIME.exec(value);
  if (time) {
    const n = Number(time[1]);
    const unit = time[2]!.toLowerCase();
    const seconds = unit.startsWith("h") ? n * 3600 : unit.startsWith("m") ? n * 60 : n;
    if (seconds > 0) return { kind: "seconds", seconds };
  }
  const tokens = TOKENS.exec(value);
  if (tokens) {
    const scale = tokens[2] === undefined ? 1 : tokens[2].toLowerCase() === "k" ? 1e3 : 1e6;
    const n = Math.round(Number(tokens[1]) * scale);
    if (n > 0) return { kind: "tokens", tokens: n };
  }
  throw new InvalidConfigError({
    en: `--budget expects a time per training rung ("90s", "5m", "1h") or training tokens per rung ("50000", "50k", "2M tokens"), got "${text}".`,
    ko: `--budget에는 학습 단계별 시간("90s", "5m", "1h") 또는 학습 토큰 수("50000", "50k", "2M tokens")가 필요하지만 "${text}"이(가) 주어졌습니다.`,
  });
}

/** "50,000 tokens" / "90 s" for the report. */
export function describeBudget(budget: Budget): string {
  return budget.kind === "tokens" ? `${budget.tokens.toLocaleString("en-US")} training tokens per rung` : `${budget.seconds} s of training per rung`;
}

/**
 * Optimizer steps for one rung. A token budget gives floor(tokens / tokens per step), at least 1. A time budget has
 * no fixed step count: the rung trains with a constant learning rate until stopped, up to this cap.
 */
export function stepsFor(budget: Budget, tokensPerStep: number): number {
  if (budget.kind === "tokens") return Math.max(1, Math.floor(budget.tokens / tokensPerStep));
  return TIME_BUDGET_STEP_CAP;
}

/** Steps a time-budgeted rung may take before its clock runs out (a ceiling that a clock should always hit first). */
export const TIME_BUDGET_STEP_CAP = 1_000_000;
