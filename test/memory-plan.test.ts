// The one memory plan (src/engine/memory-plan.ts) against what ggml's allocator really reserves: the Trainer's compute
// buffers (training, optimizer and validation graphs, with the backward's transposes) on stories260K
// and on random-weight models of other shapes, full training and LoRA, F32 and Q8_0 bases.
import { describe, expect, it } from "vitest";
import { EngineModel } from "../src/engine/model.js";
import { planTrainingMemory } from "../src/engine/memory-plan.js";
import { Trainer } from "../src/engine/trainer.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { findMethod } from "../src/methods/registry.js";
import { STORIES_260K, testModelPath } from "./helpers/test-models.js";

async function measured(file: string, methodName: "full" | "lora", T: number, B: number, checkpointActivations = false) {
  const method = findMethod(methodName);
  const options = method.schema.parse(methodName === "lora" ? { rank: 8 } : {});
  const model = await EngineModel.load(file, { threads: 1, ...method.loadOptions(options) });
  const prepared = method.prepare(model, options, 1);
  const trainer = new Trainer(model, prepared.trainable, { sequenceLength: T, batchSize: B, checkpointActivations }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, prepared.hooks);
  trainer.evaluate({ tokens: new Int32Array(T * B), targets: new Int32Array(T * B), weights: new Float32Array(T * B) }); // allocates the validation graph
  const compact = methodName === "lora" && model.file.tensors.some((t) => t.ne.length >= 2 && t.type !== GgmlType.F32);
  const plan = planTrainingMemory({
    shape: model.hparams,
    weightBytes: model.weightBytes,
    trainableParams: trainer.parameterCount,
    fullTraining: methodName === "full",
    sequenceLength: T,
    batchSize: B,
    compactFrozenWeights: compact,
    checkpointActivations,
    runtimeBytes: 0,
  });
  const result = { buffers: trainer.computeBufferBytes(), planned: plan.activationBytes, plan, weightBytes: model.weightBytes, trainable: trainer.parameterCount };
  trainer.dispose();
  prepared.dispose();
  model.dispose();
  return result;
}

describe("training memory plan vs ggml's allocator", () => {
  const cases: Array<[string, () => Promise<string>, "full" | "lora", number, number, boolean?]> = [
    ["stories260K full", async () => STORIES_260K, "full", 64, 4],
    ["stories260K LoRA", async () => STORIES_260K, "lora", 128, 2],
    ["qwen2 (biases, tied embeddings) full", () => testModelPath("qwen2"), "full", 64, 2],
    ["qwen3 (head width != E/H) LoRA", () => testModelPath("qwen3"), "lora", 96, 2],
    ["llama d256 LoRA on a Q8_0 base", () => testModelPath("llamaWide", GgmlType.Q8_0), "lora", 64, 2],
    ["stories260K full, activation checkpointing", async () => STORIES_260K, "full", 128, 4, true],
    ["stories260K LoRA, activation checkpointing", async () => STORIES_260K, "lora", 256, 4, true],
  ];
  for (const [name, file, method, T, B, checkpointed] of cases) {
    it(`${name}: compute buffers within 30% of the plan`, async () => {
      const m = await measured(await file(), method, T, B, checkpointed);
      console.log(`${name}: plan ${(m.planned / 2 ** 20).toFixed(1)} MiB, buffers ${(m.buffers / 2 ** 20).toFixed(1)} MiB`);
      expect(Math.abs(m.planned - m.buffers) / m.buffers).toBeLessThan(0.3);
      // Weights, gradients and moments are exact: 4 bytes per value, 12 per trainable parameter.
      expect(m.plan.weightBytes).toBe(m.weightBytes);
      expect(m.plan.gradientBytes + m.plan.optimizerBytes).toBe(12 * m.trainable);
    });
  }
});
