// Entry of the calibration child process: measures the engine's resident baseline, then times real Trainer steps of
// each benchmark case on random-weight models, and reports over IPC. A child, like training, so a native abort cannot
// take the doctor down and the baseline is that of a fresh process with the training modules loaded.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../engine/random-model.js";
import { residentBytes } from "../engine/memory.js";
import { EngineModel } from "../engine/model.js";
import { Trainer } from "../engine/trainer.js";
import { GGML_TYPES } from "../formats/tensor-types.js";
import { findMethod } from "../methods/registry.js";
import { loadGgml } from "../native/ggml-runtime.js";
import { getLlamaRuntime } from "../native/llama-runtime.js";
// Loaded for its memory only: the training child holds these modules when it plans.
import "../train/loop.js";
import { CALIBRATION_LORA_RANK } from "./calibration.js";
import type { MeasureRequest, MeasureMessage } from "./measure.js";

const send = (message: MeasureMessage) => process.send?.(message);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function run(request: MeasureRequest): Promise<void> {
  await getLlamaRuntime({ gpu: request.device });
  await loadGgml(request.device);
  send({ kind: "runtime", runtimeBytes: residentBytes() });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-calibrate-"));
  try {
    for (const [index, c] of request.cases.entries()) {
      send({ kind: "progress", index });
      const type = GGML_TYPES.find((t) => t.name === c.baseType);
      if (!type) throw new Error(`unknown ggml type ${c.baseType}`);
      const file = path.join(dir, `${c.shape.name}-${c.baseType}.gguf`);
      if (!fs.existsSync(file)) {
        const s = c.shape;
        await writeRandomModel(file, { arch: "llama", nLayer: s.nLayer, nEmbd: s.nEmbd, nFf: s.nFf, nHead: s.nHead, nHeadKv: s.nHeadKv, headDim: s.headDim, nVocab: s.nVocab, weightType: type.id, seed: 1 });
      }
      const method = findMethod(c.mode === "full" ? "full" : "lora");
      const options = method.schema.parse(c.mode === "full" ? {} : { rank: CALIBRATION_LORA_RANK });
      const model = await EngineModel.load(file, { threads: request.threads, device: request.device, ...method.loadOptions(options) });
      const prepared = method.prepare(model, options, 1);
      const trainer = new Trainer(model, prepared.trainable, { sequenceLength: c.ctx, batchSize: c.batch }, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, prepared.hooks);
      const n = c.ctx * c.batch;
      const V = c.shape.nVocab;
      const batch = {
        tokens: Int32Array.from({ length: n }, (_, i) => (i * 31 + 7) % V),
        targets: Int32Array.from({ length: n }, (_, i) => (i * 17 + 3) % V),
        weights: new Float32Array(n).fill(1 / n),
      };
      const passes: number[] = [];
      const steps: number[] = [];
      const forwards: number[] = [];
      // One warm-up step (page faults, first-touch of the buffers), then timed ones: 7 when a step takes under 0.2 s
      // (on a shared machine a median of few short steps is noisy), 3 under 0.5 s, 1 under 1 s; a step over 1 s is measured by its warm-up alone (first-touch of ~100 MiB of buffers
      // is a few ms there), which keeps the whole calibration near 20 s on a loaded 2-core machine.
      let timed = 7;
      for (let s = 0; s <= timed; s++) {
        const t0 = performance.now();
        let t1 = t0;
        if (c.mode === "forward") {
          trainer.evaluate(batch);
          t1 = performance.now();
        } else {
          trainer.beginStep();
          trainer.accumulate(batch);
          t1 = performance.now();
          trainer.applyStep(1e-4);
        }
        const t2 = performance.now();
        if (s === 0) {
          timed = t2 - t0 > 1000 ? 0 : t2 - t0 > 500 ? 1 : t2 - t0 > 200 ? 3 : 7;
          if (timed > 0) continue;
        }
        passes.push((t1 - t0) / 1000);
        steps.push((t2 - t1) / 1000);
      }
      // A frozen base in another type also gives that type's forward pass (prompts / RAG on such a model).
      if (c.mode === "frozen" && c.baseType !== "f32") {
        for (let s = 0; s < Math.max(1, Math.min(3, passes.length)); s++) {
          const t0 = performance.now();
          trainer.evaluate(batch);
          forwards.push((performance.now() - t0) / 1000);
        }
      }
      send({
        kind: "result",
        index,
        result: { microBatchSeconds: median(passes), optimizerSeconds: c.mode === "forward" ? 0 : median(steps), trainableParams: c.mode === "forward" ? 0 : trainer.parameterCount,
          ...(forwards.length > 0 ? { forwardSeconds: median(forwards) } : {}) },
      });
      trainer.dispose();
      prepared.dispose();
      model.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.once("message", (request) => {
  run(request as MeasureRequest)
    .then(() => send({ kind: "done" }))
    .catch((error: Error) => send({ kind: "error", message: error.message, stack: error.stack }))
    .finally(() => process.disconnect?.());
});
