// `ladder --add-rung`: a PEFT LoRA in the layout Axolotl and LLaMA-Factory write (adapter_model.safetensors +
// adapter_config.json, keys base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight), built here with the
// repo's safetensors writer from random factors for stories260K, enters the ladder's report beside the local rungs,
// with the same scores as scoring that adapter directly, and with where it came from.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEngineLora } from "../src/methods/lora/engine-lora.js";
import { peftKey } from "../src/methods/lora/module-names.js";
import { llama } from "../src/arch/llama.js";
import { EngineModel } from "../src/engine/model.js";
import { ExternalRungError } from "../src/errors.js";
import { evalQualityFigures } from "../src/eval/evaluate.js";
import { loadSuite } from "../src/eval/suite.js";
import { writeSafetensors } from "../src/formats/safetensors/index.js";
import { clozeDecidedAfter } from "../src/ladder/context-items.js";
import { evaluateRung } from "../src/ladder/evaluate-rung.js";
import { createEngineEvalBackend, parseAddRung, runLadder } from "../src/ladder/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import type { ReportInput } from "../src/report/schema.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-add-rung-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 4_000));
const heldOutFile = path.join(root, "heldout.txt");
const heldOut = fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 1_500);
fs.writeFileSync(heldOutFile, heldOut);
const suiteLines = fs.readFileSync("corpus/maple-hill/eval.jsonl", "utf8").split("\n").filter(Boolean);
const suite = path.join(root, "suite.jsonl");
fs.writeFileSync(suite, [...suiteLines.filter((l) => l.includes('"cloze"')).slice(0, 3), ...suiteLines.filter((l) => l.includes('"qa"')).slice(0, 1)].join("\n") + "\n");
const CTX = 32;

/** stories260K: 5 layers, n_embd 64, 8 heads / 4 kv heads of 8, ffn 172. */
const SHAPES: Record<string, [number, number]> = { attn_q: [64, 64], attn_v: [64, 32], ffn_down: [172, 64] };

/** A PEFT LoRA folder as the trainers write it: r=4, alpha 8, q_proj/v_proj/down_proj in every layer, random factors. */
async function writePeftFolder(dir: string): Promise<number> {
  let state = 12345;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const tensors = [];
  let params = 0;
  for (let layer = 0; layer < 5; layer++) {
    for (const [projection, [nIn, nOut]] of Object.entries(SHAPES)) {
      const a = Float32Array.from({ length: 4 * nIn }, () => random() * 0.3);
      const b = Float32Array.from({ length: nOut * 4 }, () => random() * 0.3);
      tensors.push({ name: peftKey(llama, { layer, projection }, "A"), dtype: "F32" as const, shape: [4, nIn], data: a });
      tensors.push({ name: peftKey(llama, { layer, projection }, "B"), dtype: "F32" as const, shape: [nOut, 4], data: b });
      params += a.length + b.length;
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  await writeSafetensors(path.join(dir, "adapter_model.safetensors"), { metadata: { format: "pt" }, tensors });
  const config = { peft_type: "LORA", task_type: "CAUSAL_LM", base_model_name_or_path: "karpathy/tinyllamas-stories260K", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["q_proj", "v_proj", "down_proj"], use_rslora: false, use_dora: false, fan_in_fan_out: false, bias: "none" };
  fs.writeFileSync(path.join(dir, "adapter_config.json"), JSON.stringify(config, null, 2));
  return params;
}

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("ladder --add-rung", () => {
  it("parses name=path and refuses a name the ladder already has", async () => {
    expect(parseAddRung("cluster=out/a=b")).toEqual({ name: "cluster", path: "out/a=b" });
    expect(() => parseAddRung("no-path")).toThrow(ExternalRungError);
    await expect(runLadder({ model: STORIES_260K, data: [trainText], suite, out: path.join(root, "x"), methods: ["prompt"], addRungs: [{ name: "prompt", path: trainText }] })).rejects.toThrow(ExternalRungError);
  });

  it("scores a PEFT adapter trained elsewhere beside the local rungs, equal to scoring it directly", async () => {
    const peft = path.join(root, "cluster-output");
    const params = await writePeftFolder(peft);
    const out = path.join(root, "ladder");
    const result = await runLadder({ model: STORIES_260K, data: [trainText], suite, heldOut: heldOutFile, out, methods: ["prompt"], ctx: CTX, threads: 1, addRungs: [{ name: "cluster-lora", path: peft }] });
    const report = JSON.parse(fs.readFileSync(result.resultsFile, "utf8")) as ReportInput;
    expect(report.runs.map((r) => r.method)).toEqual(["prompt", "cluster-lora"]);
    const external = report.runs[1]!;
    expect(external.trainableParams).toBe(params);
    expect(external.notes).toContain(`PEFT LoRA ${peft}`);
    expect(external.notes).toContain("target_modules q_proj, v_proj, down_proj");

    // The same adapter scored directly: engine + load-and-play LoRA, same items, windows and QA rules.
    const vocab = await loadLlamaModel(STORIES_260K, { vocabOnly: true });
    const model = await EngineModel.load(STORIES_260K, { threads: 1 });
    const lora = await loadEngineLora(model, [{ path: peft }], STORIES_260K);
    try {
      const loaded = loadSuite(suite);
      const backend = createEngineEvalBackend(model, vocab, lora.hooks, { windowTokens: CTX, backend: "direct", decidedAfter: clozeDecidedAfter(loaded.items) });
      const direct = evalQualityFigures(await evaluateRung(backend, loaded.items, { rung: "direct", file: path.join(root, "direct.json"), qaStyle: loaded.qaStyle, heldOut }));
      expect(external.perplexity).toBe(direct.perplexity);
      expect(external.clozeAccuracy).toBe(direct.clozeAccuracy);
      expect(external.exactMatch).toBe(direct.exactMatch);
      expect(external.f1).toBe(direct.f1);
    } finally {
      lora.dispose();
      model.dispose();
      await vocab.dispose();
    }
    // The adapter changes the model: its perplexity is not the baseline's.
    expect(external.perplexity).not.toBeCloseTo(report.runs[0]!.perplexity!, 3);
    expect(fs.readFileSync(result.written.markdown, "utf8")).toContain("cluster-lora");
  }, 300_000);
});
