// The ladder layer's public functions: run every method on the same data and budget, and the embedded demo.
export { runLadder, type LadderEvent, type LadderResult } from "./run-ladder.js";
export { LadderOptionsSchema, resolveLadderOptions, type LadderOptions, type LadderOptionsInput } from "./options.js";
export { parseBudget, describeBudget, stepsFor, type Budget } from "./budget.js";
export { allRungs, selectRungs, type Rung, type RungKind } from "./rungs.js";
export { createEngineEvalBackend, type EngineEvalBackend, type EngineEvalOptions } from "./engine-eval.js";
export { loadTrainedRun, type LoadedRun } from "./trained-model.js";
export { demoLadderOptions, DEMO_DEFAULTS, type DemoOptions } from "./demo.js";
export { defaultThreads } from "./run-ladder.js";
export { parseAddRung, scoreExternalRung, type ExternalRungSpec } from "./external-rung.js";
