// `localtune demo`: the ladder on the embedded default, stories260K (a tiny TinyStories llama shipped in models/)
// and the Maple Hill corpus (corpus/maple-hill: training stories, held-out stories, 96 cloze + 32 QA items).
import { fileURLToPath } from "node:url";
import type { LadderOptionsInput } from "./options.js";

const projectFile = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

/**
 * The demo's budget and recipe, measured to finish within 10 minutes on a 2-core CPU while showing DAPT and LoRA
 * lowering perplexity and raising the cloze score over the prompt baseline.
 */
export const DEMO_DEFAULTS = {
  budget: "60k",
  ctx: 128,
  batch: 4,
  seed: 42,
} as const;

export interface DemoOptions {
  out: string;
  budget?: string;
  threads?: number;
  methods?: string[];
}

/** Ladder options for the demo: the embedded model and corpus, the measured budget, overridable from the CLI. */
export function demoLadderOptions(options: DemoOptions): LadderOptionsInput {
  return {
    model: projectFile("models/stories260K.gguf"),
    data: [projectFile("corpus/maple-hill/train.txt")],
    suite: projectFile("corpus/maple-hill/eval.jsonl"),
    heldOut: projectFile("corpus/maple-hill/heldout.txt"),
    out: options.out,
    budget: options.budget ?? DEMO_DEFAULTS.budget,
    ctx: DEMO_DEFAULTS.ctx,
    batch: DEMO_DEFAULTS.batch,
    seed: DEMO_DEFAULTS.seed,
    title: "localtune demo: stories260K on Maple Hill",
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.methods !== undefined ? { methods: options.methods } : {}),
  };
}
