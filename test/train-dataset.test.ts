// Training from a prepared dataset folder: instruction data (loss only on assistant tokens) with the dataset's own
// validation split, early stop, and an F16 export.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { prepareDataset } from "../src/data/prepare.js";
import { readGguf, GgmlType } from "../src/formats/gguf/index.js";
import { RunFolder, startTraining } from "../src/train/index.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-train-ds-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");

describe("training from a prepared dataset", () => {
  it("trains on masked instruction samples, validates on the dataset's val split, stops early, exports F16", async () => {
    const dataset = path.join(root, "ds");
    await prepareDataset({ inputs: ["test/fixtures/data/chatbot-300.csv"], out: dataset, model: STORIES_260K, valRatio: 0.2, testRatio: 0.05, seed: 1 });
    const out = path.join(root, "run");
    const { done } = await startTraining({
      method: "full",
      model: STORIES_260K,
      data: [dataset],
      out,
      steps: 40,
      ctx: 32,
      batch: 2,
      // A learning rate far too high for this model: the validation loss soon stops improving, which must stop the run.
      lr: 0.2,
      schedule: "constant",
      maxGradNorm: 0,
      threads: 1,
      evalEvery: 2,
      earlyStop: 2,
      exportType: "f16",
    });
    const metrics = RunFolder.open(out).readMetrics();
    const val = metrics.filter((r) => r.valLoss !== undefined).map((r) => r.valLoss!);
    expect(val.length).toBeGreaterThanOrEqual(3); // the dataset's val split was found and used
    expect(done.reason).toBe("early-stop");
    expect(done.step).toBeLessThan(40);
    // Early stop means the last `earlyStop` evaluations did not beat the best before them.
    const best = Math.min(...val.slice(0, -2));
    expect(Math.min(...val.slice(-2))).toBeGreaterThanOrEqual(best);
    const model = readGguf(done.output!);
    expect(model.tensor("blk.0.attn_q.weight").type).toBe(GgmlType.F16);
    expect(model.tensor("blk.0.attn_norm.weight").type).toBe(GgmlType.F32); // 1-D tensors stay F32
  });
});
