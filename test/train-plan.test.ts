// The training run's plan (src/train/plan.ts) on stories260K against the same numbers computed directly: the hparams
// and held weight bytes of the loaded EngineModel, the trainable count of the method's prepared tensors, and
// planTrainingMemory called on those; and the rule that turns activation checkpointing on by itself.
import { afterEach, describe, expect, it } from "vitest";
import { InsufficientMemoryError } from "../src/errors.js";
import { planTrainingMemory, type TrainingMemoryPlan } from "../src/engine/memory-plan.js";
import { EngineModel } from "../src/engine/model.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { findMethod } from "../src/methods/registry.js";
import { selectDevice } from "../src/native/device-choice.js";
import { resolveTrainConfig } from "../src/train/config.js";
import { bytesToAllocate, chooseMemoryPlan, planTrainingRun } from "../src/train/plan.js";
import { STORIES_260K } from "./helpers/test-models.js";

const savedLimit = process.env.LOCALTUNE_MEMORY_LIMIT;
afterEach(() => {
  if (savedLimit === undefined) delete process.env.LOCALTUNE_MEMORY_LIMIT;
  else process.env.LOCALTUNE_MEMORY_LIMIT = savedLimit;
});

function config(method: "full" | "lora", ctx: number, batch: number, extra: Record<string, unknown> = {}) {
  return resolveTrainConfig({ method, methodOptions: method === "lora" ? { rank: 8 } : {}, model: STORIES_260K, data: ["corpus/maple-hill/train.txt"], out: "unused", ctx, batch, device: "cpu", threads: 1, ...extra });
}

describe("planTrainingRun", () => {
  selectDevice("cpu");
  for (const [method, ctx, batch] of [["full", 64, 4], ["lora", 128, 2]] as const) {
    it(`${method} on stories260K: the plan's numbers are the loaded model's`, async () => {
      const plan = await planTrainingRun(config(method, ctx, batch));
      const definition = findMethod(method);
      const options = definition.schema.parse(method === "lora" ? { rank: 8 } : {});
      const model = await EngineModel.load(STORIES_260K, { threads: 1, device: "cpu", ...definition.loadOptions(options) });
      const prepared = definition.prepare(model, options, 1);
      try {
        const trainable = prepared.trainable.reduce((sum, t) => sum + model.api.ggml_nelements(t.tensor), 0);
        expect(plan.hparams).toEqual(model.hparams);
        expect(plan.plannedTrainable).toBe(trainable);
        expect(plan.file.tensors.map((t) => t.name)).toEqual(model.file.tensors.map((t) => t.name));
        const direct = (checkpointActivations: boolean): TrainingMemoryPlan => planTrainingMemory({
          shape: model.hparams,
          weightBytes: model.weightBytes,
          trainableParams: trainable,
          fullTraining: method === "full",
          sequenceLength: ctx,
          batchSize: batch,
          compactFrozenWeights: method === "lora" && model.file.tensors.some((t) => t.ne.length >= 2 && t.type !== GgmlType.F32),
          checkpointActivations,
          // The resident memory is the one reading the planner took; everything else is recomputed here.
          runtimeBytes: plan.wholePlan.runtimeBytes,
        });
        expect(plan.wholePlan).toEqual(direct(false));
        expect(plan.checkpointedPlan).toEqual(direct(true));
        // This machine has room for a tiny model: no checkpointing unless asked, on the CPU as asked.
        expect(plan.checkpointActivations).toBe(false);
        expect(plan.checkpointingForMemory).toBe(false);
        expect(plan.memoryPlan).toBe(plan.wholePlan);
        expect(plan.neededBytes).toBe(plan.wholePlan.totalBytes - plan.wholePlan.runtimeBytes);
        expect(plan.device.device.type).toBe("cpu");
      } finally {
        prepared.dispose();
        model.dispose();
      }
    });
  }

  it("turns checkpointing on when only the checkpointed plan fits, and refuses when neither does", async () => {
    const roomy = await planTrainingRun(config("full", 128, 4));
    const whole = bytesToAllocate(roomy.wholePlan);
    const checkpointed = bytesToAllocate(roomy.checkpointedPlan);
    expect(checkpointed).toBeLessThan(whole);
    process.env.LOCALTUNE_MEMORY_LIMIT = String(Math.floor((whole + checkpointed) / 2));
    const tight = await planTrainingRun(config("full", 128, 4));
    expect(tight.checkpointingForMemory).toBe(true);
    expect(tight.checkpointActivations).toBe(true);
    expect(tight.memoryPlan).toBe(tight.checkpointedPlan);
    process.env.LOCALTUNE_MEMORY_LIMIT = String(Math.floor(checkpointed / 2));
    await expect(planTrainingRun(config("full", 128, 4))).rejects.toBeInstanceOf(InsufficientMemoryError);
  });
});

describe("chooseMemoryPlan", () => {
  // Hand-made plans: 100 bytes resident in each, 900 and 500 more to allocate.
  const plan = (totalBytes: number) => ({ totalBytes, runtimeBytes: 100 }) as TrainingMemoryPlan;
  const whole = plan(1000);
  const checkpointed = plan(600);
  it("keeps the whole plan when it fits, or when neither fits (the memory check then refuses)", () => {
    expect(chooseMemoryPlan(whole, checkpointed, false, 900)).toEqual({ memoryPlan: whole, checkpointActivations: false, checkpointingForMemory: false });
    expect(chooseMemoryPlan(whole, checkpointed, false, 499)).toEqual({ memoryPlan: whole, checkpointActivations: false, checkpointingForMemory: false });
  });
  it("checkpoints when asked, or by itself when only the checkpointed plan fits", () => {
    expect(chooseMemoryPlan(whole, checkpointed, true, 10_000)).toEqual({ memoryPlan: checkpointed, checkpointActivations: true, checkpointingForMemory: false });
    expect(chooseMemoryPlan(whole, checkpointed, false, 899)).toEqual({ memoryPlan: checkpointed, checkpointActivations: true, checkpointingForMemory: true });
    expect(chooseMemoryPlan(whole, checkpointed, false, 500)).toEqual({ memoryPlan: checkpointed, checkpointActivations: true, checkpointingForMemory: true });
  });
});
