// Adding an architecture touches only its file: one declared in the test fixtures, registered at run time, gets a
// random model from the writer, loads, runs forward and trains through the engine, and the methods read its
// declaration (BitFit's biases, LoRA's default targets, PEFT's q/k permutation). The reference is llama: with its
// biases zeroed, the test architecture's model is llama's graph, whose logits test/parity.test.ts holds to llama.cpp.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCHITECTURES, findArchitecture, registerArchitecture, unregisterArchitecture } from "../src/arch/registry.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { writeRandomModel, type RandomModelOptions } from "../src/engine/random-model.js";
import { Trainer } from "../src/engine/trainer.js";
import { GgmlType, gguf, readGguf, writeGguf, type GgufTensorInput, type GgufValue } from "../src/formats/gguf/index.js";
import { bitfitProjections } from "../src/methods/bitfit/targets.js";
import { loraTargets } from "../src/methods/lora/targets.js";
import { permutesQk } from "../src/methods/lora/permute.js";
import { miniLlama } from "./fixtures/arch/mini-llama.js";
import { randomBatch } from "./helpers/finite-differences.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-arch-"));
const shape: Omit<RandomModelOptions, "arch"> = { nLayer: 2, nEmbd: 32, nFf: 48, nHead: 4, nHeadKv: 2, nVocab: 50, seed: 5 };
const OPTIMIZER = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 };

beforeAll(() => registerArchitecture(miniLlama));
afterAll(() => {
  unregisterArchitecture(miniLlama.name);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** llama's random model (llama.gguf) as the test architecture: the same weights, metadata under its name, zero biases. */
async function zeroBiasModel(): Promise<string> {
  const file = path.join(dir, "mini-zero.gguf");
  const source = readGguf(path.join(dir, "llama.gguf"));
  const metadata = new Map<string, GgufValue>();
  for (const [key, value] of source.metadata) metadata.set(key.replace(/^llama\./, "minillama."), value);
  metadata.set("general.architecture", gguf.str("minillama"));
  const tensors: GgufTensorInput[] = source.tensors.map((info) => ({ name: info.name, type: info.type, ne: info.ne, data: source.readTensorData(info) }));
  for (const info of source.tensors) {
    const m = /^(blk\.\d+\.[a-z_]+)\.weight$/.exec(info.name);
    if (m && !info.name.includes("norm")) tensors.push({ name: `${m[1]}.bias`, type: GgmlType.F32, ne: [info.ne[1]!], data: new Uint8Array(4 * info.ne[1]!) });
  }
  await writeGguf(file, { metadata, tensors });
  return file;
}

/** One step of full training on a fixed batch: the loss before, and after the update on the same batch. */
function trainStep(model: EngineModel): { before: number; after: number } {
  const trainable = [...model.weights].map(([name, tensor]) => ({ name, tensor }));
  const trainer = new Trainer(model, trainable, { sequenceLength: 8, batchSize: 2 }, OPTIMIZER, {});
  const batch = randomBatch(model.hparams.nVocab, 8, 2, 11);
  trainer.beginStep();
  const before = trainer.accumulate(batch);
  trainer.applyStep(1e-2);
  const after = trainer.evaluate(batch);
  trainer.dispose();
  return { before, after };
}

describe("an architecture declared in one file", () => {
  it("is listed and found once registered", () => {
    expect(ARCHITECTURES.map((a) => a.name)).toContain("minillama");
    expect(findArchitecture("minillama")).toBe(miniLlama);
    expect(() => registerArchitecture(miniLlama)).toThrow(/already registered/);
  });

  it("gets a random model with the tensors its block declares, which the engine loads", async () => {
    const file = path.join(dir, "mini-check.gguf");
    const hp = await writeRandomModel(file, { arch: "minillama", ...shape });
    const names = readGguf(file).tensors.map((t) => t.name);
    expect(names.filter((n) => n.endsWith(".bias")).length).toBe(7 * shape.nLayer);
    expect(names).toContain("blk.1.attn_output.bias");
    const model = await EngineModel.load(file, { threads: 1 });
    expect(model.arch.name).toBe("minillama");
    expect(model.hparams).toEqual(hp);
    model.dispose();
  });

  it("runs forward as llama's graph (biases zeroed: llama's logits exactly) and its biases change the logits", async () => {
    const llamaFile = path.join(dir, "llama.gguf");
    await writeRandomModel(llamaFile, { arch: "llama", ...shape });
    const tokens = Int32Array.from([1, 7, 3, 22, 9, 41, 5, 12]);
    const run = async (file: string) => {
      const model = await EngineModel.load(file, { threads: 1 });
      const logits = forwardLogits(model, { tokens, sequences: 2 });
      model.dispose();
      return logits;
    };
    await writeRandomModel(path.join(dir, "mini.gguf"), { arch: "minillama", ...shape });
    const llamaLogits = await run(llamaFile);
    const zeroLogits = await run(await zeroBiasModel());
    const biasedLogits = await run(path.join(dir, "mini.gguf"));
    expect(zeroLogits.length).toBe(shape.nVocab! * tokens.length);
    expect(Array.from(zeroLogits)).toEqual(Array.from(llamaLogits));
    expect(biasedLogits.every(Number.isFinite)).toBe(true);
    expect(Math.max(...biasedLogits.map((v, i) => Math.abs(v - llamaLogits[i]!)))).toBeGreaterThan(1e-3);
  });

  it("trains through the engine: one step lowers the loss, and with zero biases matches llama's step", async () => {
    const load = (file: string) => EngineModel.load(file, { threads: 1, f32Weights: true });
    const mini = await load(path.join(dir, "mini.gguf"));
    const step = trainStep(mini);
    mini.dispose();
    expect(step.after).toBeLessThan(step.before);
    const zero = await load(await zeroBiasModel());
    const llama = await load(path.join(dir, "llama.gguf"));
    const zeroStep = trainStep(zero);
    const llamaStep = trainStep(llama);
    zero.dispose();
    llama.dispose();
    expect(zeroStep.before).toBeCloseTo(llamaStep.before, 6);
    expect(zeroStep.after).toBeLessThan(zeroStep.before);
  });

  it("is what the methods read: BitFit's biases, LoRA's default targets, PEFT's q/k permutation", async () => {
    const hp = await writeRandomModel(path.join(dir, "mini-methods.gguf"), { arch: "minillama", ...shape });
    expect(bitfitProjections(hp, undefined)).toEqual(miniLlama.bitfitBiases);
    expect(new Set(loraTargets(miniLlama, hp, { targets: undefined } as never).map((t) => t.name.replace(/^blk\.\d+\./, "")))).toEqual(new Set(["attn_q", "attn_v"]));
    expect(permutesQk("minillama")).toBe(true);
  });
});
