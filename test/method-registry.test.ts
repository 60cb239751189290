// A method is one folder plus a registration: a method defined only in the test fixtures (an FFN scale) is registered
// at run time and then appears in the ladder, in the doctor's plan, in --adapter loading (generation runs its hooks)
// and in the command-line help, with no other file changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerChat } from "../src/cli/commands/chat.js";
import { registerGenerate } from "../src/cli/commands/generate.js";
import { registerPrompts } from "../src/cli/commands/prompts.js";
import { registerServe } from "../src/cli/commands/serve.js";
import { registerTrain } from "../src/cli/commands/train.js";
import { KNOWN_MODEL_SHAPES } from "../src/doctor/model-shape.js";
import { estimateRungs } from "../src/doctor/rungs.js";
import { EngineModel } from "../src/engine/model.js";
import { InvalidConfigError } from "../src/errors.js";
import { allRungs, selectRungs } from "../src/ladder/rungs.js";
import { findMethod, registerMethod, unregisterMethod } from "../src/methods/registry.js";
import { writeVectorAdapter } from "../src/methods/vector-adapter.js";
import { engineAdapterType, generateText, needsEnginePath } from "../src/prompt/index.js";
import { FFN_GATE_TYPE, ffnGateMethod, seen, vectorName } from "./fixtures/methods/ffn-gate-method.js";
import { STORIES_260K } from "./helpers/test-models.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-method-registry-"));

beforeAll(() => registerMethod(ffnGateMethod));
afterAll(() => {
  unregisterMethod(ffnGateMethod.name);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a method registered from outside src/", () => {
  it("is found by name and refuses a second registration of the same name", () => {
    expect(findMethod("test-ffn-gate")).toBe(ffnGateMethod);
    expect(() => registerMethod(ffnGateMethod)).toThrow(InvalidConfigError);
  });

  it("joins the ladder at its position with its learning rate", () => {
    const ids = allRungs().map((r) => r.id);
    // Position 45: after IA3 (40), before LoRA (50).
    expect(ids.slice(ids.indexOf("ia3"), ids.indexOf("ia3") + 3)).toEqual(["ia3", "test-ffn-gate", "lora-r2"]);
    expect(selectRungs(["test-ffn-gate"])).toEqual([{ id: "test-ffn-gate", label: "FFN gate (test)", kind: "train", method: "test-ffn-gate", methodOptions: {}, lr: 0.02 }]);
  });

  it("joins the doctor's plan with its formula", () => {
    const shape = KNOWN_MODEL_SHAPES["qwen2.5-0.5b"]!;
    const options = { ctx: 256, batch: 1, virtualTokens: 20, runtimeBytes: 0 };
    const rungs = estimateRungs(shape, options);
    const gate = rungs.find((r) => r.id === "test-ffn-gate")!;
    expect(gate.method).toBe("test-ffn-gate");
    expect(gate.trainableParams).toBe(24 * 4864); // Qwen2.5-0.5B: 24 layers, F = 4864
    // A frozen base with 4 FLOPs per trainable value on top: the same base cost as BitFit's rung.
    const bitfit = rungs.find((r) => r.id === "bitfit")!;
    expect(gate.flopsPerToken - 4 * gate.trainableParams).toBeCloseTo(bitfit.flopsPerToken - bitfit.trainableParams, 0);
    expect(rungs.map((r) => r.id).indexOf("test-ffn-gate")).toBe(rungs.map((r) => r.id).indexOf("ia3") + 1);
  });

  it("loads its saved adapter through --adapter: the generator runs its hooks", async () => {
    const model = await EngineModel.load(STORIES_260K);
    const file = path.join(dir, "gate.gguf");
    try {
      const { nLayer, nFf } = model.hparams;
      const specs = Array.from({ length: nLayer }, (_, il) => ({ name: vectorName(il), length: nFf }));
      // Half the feed-forward output in every layer: a real change to the model's text.
      await writeVectorAdapter(file, FFN_GATE_TYPE, model.hparams, {}, specs, new Map(specs.map((s) => [s.name, new Float32Array(s.length).fill(0.5)])));
    } finally {
      model.dispose();
    }
    expect(engineAdapterType(file)).toBe(FFN_GATE_TYPE);
    expect(needsEnginePath([{ path: file }])).toBe(true);
    const request = { model: STORIES_260K, prompt: "Once upon a time", sampling: { temperature: 0, maxTokens: 24 }, threads: 1, gpu: "cpu" as const, contextSize: 64 };
    const base = await generateText(request);
    const before = seen.hookCalls;
    const adapted = await generateText({ ...request, adapters: [{ path: file }] });
    expect(seen.loaded).toEqual([file]);
    expect(seen.hookCalls).toBeGreaterThan(before);
    expect(adapted.text).not.toBe(base.text);
  });

  it("shows in the help of train, generate, chat, serve and prompts", () => {
    const program = new Command("localtune");
    for (const register of [registerTrain, registerGenerate, registerChat, registerServe, registerPrompts]) register(program);
    const sub = (name: string) => program.commands.find((c) => c.name() === name)!;
    expect(sub("train").commands.map((c) => c.name())).toContain("test-ffn-gate");
    expect(sub("train").commands.find((c) => c.name() === "test-ffn-gate")!.helpInformation()).toContain("--init <x>");
    for (const name of ["generate", "chat", "serve"]) expect(sub(name).helpInformation()).toMatch(/test-ffn-gate/);
    const run = sub("prompts").commands.find((c) => c.name() === "run")!;
    expect(run.helpInformation()).toMatch(/test-ffn-gate/);
  });
});
