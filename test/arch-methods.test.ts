// Every adaptation method on every architecture (issue 16): the method's gradients equal central finite differences
// of the loss on a tiny model of that architecture, and what the adapter methods export runs in llama.cpp with our
// logits: BitFit's and IA3's merged models, LoRA's GGUF adapter (llama.cpp applies it itself), and LoRA's PEFT copy
// round-trips through the architecture's own Hugging Face module names. Full fine-tuning's gradients are checked
// for every architecture in test/gradients.test.ts, its output is a model of the same architecture (parity.test.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ARCHITECTURES } from "../src/arch/registry.js";
import { forwardLogits } from "../src/engine/forward.js";
import { EngineModel } from "../src/engine/model.js";
import { writeRandomModel } from "../src/engine/random-model.js";
import { seededRandom } from "../src/engine/random.js";
import type { TrainableTensor } from "../src/engine/trainer.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { importPeftAdapter } from "../src/methods/lora/peft-import.js";
import { METHODS } from "../src/methods/registry.js";
import type { MethodDefinition } from "../src/methods/types.js";
import { writeTinyModel } from "./helpers/finite-differences.js";
import { expectGradientsMatchFiniteDifferences, worstGapToLlamaCpp } from "./helpers/method-checks.js";
import { TEST_MODEL_SHAPES } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-arch-methods-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Small options that keep each method's tensors few (prefix 2 fits gemma3's test window of 4). */
const TINY_OPTIONS: Record<string, Record<string, unknown>> = {
  lora: { rank: 2, alpha: 4 },
  "prompt-tuning": { virtualTokens: 3 },
  "prefix-tuning": { prefixTokens: 2 },
};
const adapterMethods = METHODS.filter((m) => m.name !== "full");
const method = (name: string) => METHODS.find((m) => m.name === name)!;
const optionsOf = (m: MethodDefinition) => m.schema.parse(TINY_OPTIONS[m.name] ?? {});

/** Values for every trainable tensor: LoRA's B starts at zero (hiding A's gradient and the adapter itself). */
function randomize(model: EngineModel, trainable: readonly TrainableTensor[], seed: number): Map<string, Float32Array> {
  const random = seededRandom(seed);
  const values = new Map<string, Float32Array>();
  for (const t of trainable) {
    const n = model.api.ggml_nelements(t.tensor);
    const current = new Float32Array(n);
    model.api.ggml_backend_tensor_get(t.tensor, current, 0, n * 4);
    // Vectors that scale (IA3) stay near 1, everything else gets values of order 0.3.
    const v = t.name.includes(".ia3_") ? current.map(() => 1 + 0.5 * (random() - 0.5)) : current.map(() => 0.6 * (random() - 0.5));
    model.api.ggml_backend_tensor_set(t.tensor, v, 0, n * 4);
    values.set(t.name, v);
  }
  return values;
}

const TOKENS = [1, 450, 260, 300, 310, 320, 330, 340, 350, 360];

for (const { name: arch } of ARCHITECTURES) {
  const shape = TEST_MODEL_SHAPES[arch];
  describe(`${arch}: every method`, () => {
    it("trains: each adapter method's gradients equal finite differences", async () => {
      const file = path.join(root, `${arch}-tiny.gguf`);
      await writeTinyModel(file, arch);
      for (const m of adapterMethods) {
        const options = optionsOf(m);
        const model = await EngineModel.load(file, { threads: 1, ...m.loadOptions(options) });
        const prepared = m.prepare(model, options, 1);
        randomize(model, prepared.trainable, 9);
        const checked = expectGradientsMatchFiniteDifferences(model, prepared.trainable, prepared.hooks, 2);
        expect(checked, m.name).toBeGreaterThan(0);
        prepared.dispose();
        model.dispose();
      }
    });

    it("exports: BitFit and IA3 merged models and the LoRA adapter run in llama.cpp with our logits; PEFT names round-trip", async () => {
      // The test model's own vocabulary and shape (phi3 needs its own tokens: llama.cpp looks for them by model name).
      if (!shape) throw new Error(`TEST_MODEL_SHAPES has no ${arch} entry`);
      const base = path.join(root, `${arch}-small.gguf`);
      await writeRandomModel(base, { ...shape, seed: 5 });
      const engine = await EngineModel.load(base, { threads: 1 });
      const V = engine.hparams.nVocab;
      const tokens = Int32Array.from(TOKENS);
      const baseLogits = forwardLogits(engine, { tokens, sequences: 1 });
      for (const name of ["bitfit", "ia3"]) {
        const m = method(name);
        const options = optionsOf(m);
        const prepared = m.prepare(engine, options, 1);
        const values = randomize(engine, prepared.trainable, 11);
        const merged = await m.exportAdapter!(options, { model: engine, values, dir: path.join(root, `${arch}-${name}`), baseModelPath: base });
        const ours = forwardLogits(engine, { tokens, sequences: 1 }, prepared.hooks);
        expect(ours).not.toEqual(baseLogits); // so llama.cpp agreeing means it applied the method
        const gap = await worstGapToLlamaCpp(merged, TOKENS, ours, V);
        console.log(`${arch} ${name} merged vs llama.cpp: max |dlogp| / logit range = ${gap.toExponential(2)}`);
        expect(gap).toBeLessThan(1e-4);
        prepared.dispose();
      }

      const lora = method("lora");
      const options = optionsOf(lora);
      const prepared = lora.prepare(engine, options, 1);
      const values = randomize(engine, prepared.trainable, 13);
      const adapter = await lora.exportAdapter!(options, { model: engine, values, dir: path.join(root, `${arch}-lora`), baseModelPath: base });
      const ours = forwardLogits(engine, { tokens, sequences: 1 }, prepared.hooks);
      const worst = await worstGapToLlamaCpp(base, TOKENS, ours, V, adapter);
      console.log(`${arch} LoRA adapter in llama.cpp: max |dlogp| / logit range = ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);

      // The PEFT copy written beside the adapter reads back to the same factors.
      const back = path.join(root, `${arch}-lora-back.gguf`);
      await importPeftAdapter({ adapter: path.join(path.dirname(adapter), "peft"), model: base, out: back });
      const original = readGguf(adapter);
      const reread = readGguf(back);
      expect(reread.tensors.map((t) => t.name).sort()).toEqual(original.tensors.map((t) => t.name).sort());
      for (const t of original.tensors) expect(reread.readTensorData(t.name), t.name).toEqual(original.readTensorData(t.name));
      const config = JSON.parse(fs.readFileSync(path.join(path.dirname(adapter), "peft", "adapter_config.json"), "utf8")) as { target_modules: string[] };
      const expected = engine.arch.defaultLoraTargets.map((t) => engine.arch.hf.layerModules[t]!.split(".").at(-1)!).sort(); // TINY_OPTIONS names no targets
      expect([...config.target_modules].sort()).toEqual(expected);
      prepared.dispose();
      engine.dispose();
    });
  });
}

