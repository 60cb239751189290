// The rungs of the method ladder, cheapest first: three that train nothing (prompt, few-shot, RAG), then the rungs
// each registered method declares (src/methods/registry.ts), so a newly registered method joins the ladder by itself.
import { InvalidConfigError } from "../errors.js";
import { ladderVariantsOf, methodsInLadderOrder } from "../methods/registry.js";

/** "external": trained elsewhere and only scored here (`ladder --add-rung`). */
export type RungKind = "prompt" | "few-shot" | "rag" | "train" | "external";

export interface Rung {
  /** Id in --methods, the report and the run folder name, e.g. "lora-r16". */
  id: string;
  /** Display name, e.g. "LoRA r=16". */
  label: string;
  kind: RungKind;
  /** Registered method name (training rungs). */
  method?: string;
  methodOptions?: Record<string, unknown>;
  /** Peak learning rate (training rungs). */
  lr?: number;
}

// Each method declares its rungs and learning rates (methods/<name>/index.ts: ladderVariants, defaultLr). They follow
// each method's usual range (higher for the few, freshly initialised parameters of prompt tuning, lower for every
// weight in DAPT); each was the better of two on the demo (stories260K, Maple Hill, 60k tokens): e.g. prompt tuning
// 0.1 over 0.03 (held-out perplexity 10.1 vs 10.4), LoRA r=2 0.01 over 0.005 (cloze 5.2% vs 3.1%), LoRA r=16 0.005
// over 0.01 (perplexity 6.0 vs 6.6).

const UNTRAINED: Rung[] = [
  { id: "prompt", label: "prompt (baseline)", kind: "prompt" },
  { id: "few-shot", label: "few-shot", kind: "few-shot" },
  { id: "rag", label: "RAG", kind: "rag" },
];

/** Every rung, in ladder order. */
export function allRungs(): Rung[] {
  const training = methodsInLadderOrder().flatMap((method) =>
    ladderVariantsOf(method).map((v): Rung => ({ id: v.id, label: v.label, kind: "train", method: method.name, methodOptions: v.options, lr: v.lr })),
  );
  return [...UNTRAINED, ...training];
}

/**
 * The rungs to run: all of them, or those named (by rung id, "lora-r2", or by method name, "lora" for all its
 * rungs), kept in ladder order. An unknown name fails with the list of valid ones.
 */
export function selectRungs(names: readonly string[] | undefined): Rung[] {
  const rungs = allRungs();
  if (names === undefined || names.length === 0) return rungs;
  const wanted = new Set<string>();
  for (const name of names) {
    const matches = rungs.filter((r) => r.id === name || r.method === name);
    if (matches.length === 0) {
      const valid = rungs.map((r) => r.id).join(", ");
      throw new InvalidConfigError({
        en: `--methods: unknown rung "${name}". Valid rungs: ${valid} (or a method name such as lora for all its rungs).`,
        ko: `--methods: 알 수 없는 단계 "${name}". 사용 가능한 단계: ${valid} (또는 lora처럼 방법 이름으로 그 방법의 모든 단계).`,
      });
    }
    for (const m of matches) wanted.add(m.id);
  }
  return rungs.filter((r) => wanted.has(r.id));
}
