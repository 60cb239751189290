// LoRA: a fresh adapter changes nothing, training lowers the loss with the base frozen (F32 and Q8_0 bases), and the
// exported GGUF LoRA, loaded by llama.cpp through node-llama-cpp, gives our engine's logits.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EngineModel } from "../src/engine/model.js";
import { forwardLogits } from "../src/engine/forward.js";
import { GgmlType, readGguf } from "../src/formats/gguf/index.js";
import { loraMethod } from "../src/methods/lora/index.js";
import { LoraOptionsSchema } from "../src/methods/lora/options.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { worstGapToLlamaCpp } from "./helpers/method-checks.js";
import { quantizedStoriesPath, STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-lora-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 12_000));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");

describe("LoRA", () => {
  it("starts as a no-op: B = 0 gives exactly the base logits", async () => {
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const prepared = loraMethod.prepare(model, LoraOptionsSchema.parse({ rank: 4 }), 1);
    const tokens = Int32Array.from([1, 403, 407, 261, 378]);
    const base = forwardLogits(model, { tokens, sequences: 1 });
    const adapted = forwardLogits(model, { tokens, sequences: 1 }, prepared.hooks);
    expect(adapted).toEqual(base);
    prepared.dispose();
    model.dispose();
  });

  for (const [label, modelPath] of [
    ["F32 base (stories260K)", async () => STORIES_260K],
    ["Q8_0 base (stories260K quantized)", async () => quantizedStoriesPath(GgmlType.Q8_0)],
  ] as const) {
    it(`trains on a ${label}; the GGUF adapter in llama.cpp gives our logits`, async () => {
      const model = await modelPath();
      const out = path.join(root, label.replace(/\W+/g, "-"));
      const { done } = await startTraining({
        method: "lora",
        methodOptions: { rank: 4, alpha: 8 },
        model,
        data: [trainText],
        out,
        steps: 6,
        ctx: 32,
        batch: 2,
        lr: 1e-2,
        threads: 1,
        evalEvery: 0,
      });
      const losses = RunFolder.open(out).readMetrics().filter((r) => r.loss !== undefined).map((r) => r.loss!);
      expect(losses[losses.length - 1]!).toBeLessThan(losses[0]!);
      const adapter = done.output!;
      expect(readGguf(adapter).getString("adapter.type")).toBe("lora");

      // Our engine with the trained adapter tensors applied through the LoRA hook...
      const engine = await EngineModel.load(model, { threads: 1 });
      const prepared = loraMethod.prepare(engine, LoraOptionsSchema.parse({ rank: 4, alpha: 8 }), 1);
      const file = readGguf(adapter);
      for (const t of prepared.trainable) {
        const bytes = file.readTensorData(t.name);
        engine.api.ggml_backend_tensor_set(t.tensor, bytes, 0, bytes.byteLength);
      }
      // ...against llama.cpp loading the exported adapter file.
      const tokens = [1, 450, 260, 300, 310, 320, 330, 340];
      const ours = forwardLogits(engine, { tokens: Int32Array.from(tokens), sequences: 1 }, prepared.hooks);
      expect(await worstGapToLlamaCpp(model, tokens, ours, engine.hparams.nVocab, adapter)).toBeLessThan(1e-4);
      prepared.dispose();
      engine.dispose();
    });
  }
});
