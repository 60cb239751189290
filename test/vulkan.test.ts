// The GPU code path on a real ggml GPU backend: Vulkan on Mesa's software device (lavapipe), which CI installs
// (mesa-vulkan-drivers). One process holds the Vulkan build of node-llama-cpp; its CPU backend gives the reference
// runs, so both sides share every kernel version. Kept small (stories260K, 16-token sequences): lavapipe is slow.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LlamaCompletion } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EngineModel } from "../src/engine/model.js";
import { perplexity } from "../src/engine/perplexity.js";
import { tokenizeForScoring } from "../src/engine/measure-perplexity.js";
import { selectDevice } from "../src/native/device-choice.js";
import { getLlamaRuntime, loadLlamaModel } from "../src/native/llama-runtime.js";
import { runTrainingLoop, type TrainEvent } from "../src/train/loop.js";
import { resolveTrainConfig, RunFolder, type TrainConfigInput } from "../src/train/index.js";
import { STORIES_260K } from "./helpers/test-models.js";

// lavapipe is slow, and slower on a loaded machine: each test here gets 5 minutes.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
const hasLavapipe = ICD_DIRS.some((dir) => fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.startsWith("lvp_icd")));
if (!hasLavapipe) {
  console.log("SKIP test/vulkan.test.ts: Mesa's software Vulkan driver (lavapipe) is not installed; `apt-get install mesa-vulkan-drivers libvulkan1` enables these tests (CI installs it).");
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-vulkan-"));
const trainText = path.join(root, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 6_000));
const heldOut = fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8").slice(0, 1_200);

const METHODS = ["full", "lora", "bitfit", "ia3", "prompt-tuning", "prefix-tuning"] as const;

async function trainIn(device: "cpu" | "vulkan", method: string, extra: Partial<TrainConfigInput> = {}): Promise<{ losses: number[]; start: Extract<TrainEvent, { type: "start" }>; output: string | null }> {
  const input: TrainConfigInput = {
    method,
    model: STORIES_260K,
    data: [trainText],
    out: path.join(root, `${method}-${device}${extra.checkpointActivations ? "-ckpt" : ""}`),
    steps: 8,
    ctx: 16,
    batch: 2,
    lr: 2e-3,
    threads: 2,
    evalEvery: 0,
    saveEvery: 8,
    device,
    ...extra,
  };
  const folder = RunFolder.create(resolveTrainConfig(input));
  const events: TrainEvent[] = [];
  await runTrainingLoop(folder.dir, { stopRequested: false }, (e) => events.push(e));
  const start = events.find((e): e is Extract<TrainEvent, { type: "start" }> => e.type === "start")!;
  const done = events.find((e): e is Extract<TrainEvent, { type: "done" }> => e.type === "done")!;
  return { losses: events.flatMap((e) => (e.type === "step" ? [e.loss] : [])), start, output: done.output };
}

const maxRelative = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.abs(b[i]!)));

describe.skipIf(!hasLavapipe)("Vulkan backend on lavapipe", () => {
  beforeAll(async () => {
    // ggml lists CPU-type Vulkan devices (lavapipe) only when asked to; set here, for this process alone.
    process.env.GGML_VK_VISIBLE_DEVICES = "0";
    selectDevice("vulkan");
    // Load the Vulkan build now: the CPU reference runs then use its CPU backend instead of loading the CPU build.
    expect((await getLlamaRuntime()).gpu).toBe("vulkan");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const outputs = new Map<string, string | null>();
  for (const method of METHODS) {
    it(`${method}: 8 steps on Vulkan give the CPU run's losses within 3e-3 relative`, async () => {
      const cpu = await trainIn("cpu", method);
      const gpu = await trainIn("vulkan", method);
      expect(cpu.start.device.name).toBe("CPU");
      expect(gpu.start.device.name).toMatch(/^Vulkan/);
      expect(gpu.start.device.software).toBe(true);
      expect(gpu.losses).toHaveLength(8);
      expect(maxRelative(gpu.losses, cpu.losses)).toBeLessThan(3e-3);
      // Training moved the loss: the comparison is not between two untouched models.
      expect(gpu.losses[7]!).not.toBe(gpu.losses[0]!);
      outputs.set(method, gpu.output);
    });
  }

  it("activation checkpointing on Vulkan gives the CPU run's losses, and the ops Vulkan lacks run on the CPU", async () => {
    const cpu = await trainIn("cpu", "lora", { checkpointActivations: true });
    const gpu = await trainIn("vulkan", "lora", { checkpointActivations: true });
    expect(gpu.start.checkpointActivations).toBe(true);
    expect(maxRelative(gpu.losses, cpu.losses)).toBeLessThan(3e-3);
    // ggml-vulkan has no DIAG_MASK_ZERO (the causal mask's backward): the scheduler runs it on the CPU.
    expect(gpu.start.cpuFallbackOps).toContain("DIAG_MASK_ZERO");
    expect(cpu.start.cpuFallbackOps).toEqual([]);
  });

  it("refuses the CPU precision modes and a CPU backward kernel on the GPU before loading anything, saying what to use instead", async () => {
    await expect(trainIn("vulkan", "full", { precision: "bf16", out: path.join(root, "full-vulkan-bf16") })).rejects.toThrow(/--precision bf16 is a CPU mode.*Vulkan.*--device cpu/);
    await expect(trainIn("vulkan", "full", { precision: "q8", out: path.join(root, "full-vulkan-q8") })).rejects.toThrow(/--precision q8 is a CPU mode.*Vulkan.*--device cpu/);
    await expect(trainIn("vulkan", "lora", { quantizedBackward: "q8_0", out: path.join(root, "lora-vulkan-q8-backward") })).rejects.toThrow(/--quantized-backward q8_0 picks a CPU kernel.*Vulkan.*--device cpu/);
  });

  it("perplexity on Vulkan equals the CPU's within 1e-3 relative", async () => {
    const tokens = await tokenizeForScoring(STORIES_260K, heldOut);
    const score = async (device: "cpu" | "vulkan") => {
      const model = await EngineModel.load(STORIES_260K, { device, threads: 2 });
      try {
        return { ppl: perplexity(model, tokens, { ctx: 64, stride: 64 }).perplexity, name: model.backend.name };
      } finally {
        model.dispose();
      }
    };
    const cpu = await score("cpu");
    const gpu = await score("vulkan");
    expect(cpu.name).toBe("CPU");
    expect(gpu.name).toMatch(/^Vulkan/);
    expect(Math.abs(gpu.ppl - cpu.ppl) / cpu.ppl).toBeLessThan(1e-3);
  });

  it("greedy generation through node-llama-cpp gives the same tokens with layers on Vulkan and on the CPU", async () => {
    const generate = async (gpuLayers: number) => {
      const model = await loadLlamaModel(STORIES_260K, { gpuLayers });
      const context = await model.createContext({ contextSize: 128, threads: 2 });
      try {
        const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
        return await completion.generateCompletion("Once upon a time", { maxTokens: 24, temperature: 0 });
      } finally {
        await context.dispose();
        await model.dispose();
      }
    };
    const onGpu = await generate(99);
    const onCpu = await generate(0);
    expect(onGpu.length).toBeGreaterThan(10);
    expect(onGpu).toBe(onCpu);
  });

  it("the model and adapter trained on Vulkan load in llama.cpp (node-llama-cpp) and generate", async () => {
    const full = outputs.get("full");
    const lora = outputs.get("lora");
    expect(full).toBeTruthy();
    expect(lora).toBeTruthy();
    const model = await loadLlamaModel(full!, { gpuLayers: 0 });
    const context = await model.createContext({ contextSize: 64, threads: 2 });
    expect(await new LlamaCompletion({ contextSequence: context.getSequence() }).generateCompletion("Once", { maxTokens: 8, temperature: 0 })).not.toBe("");
    await context.dispose();
    await model.dispose();
    const base = await loadLlamaModel(STORIES_260K, { gpuLayers: 0 });
    const withAdapter = await base.createContext({ contextSize: 64, threads: 2, lora: { adapters: [{ filePath: lora! }] } });
    expect(await new LlamaCompletion({ contextSequence: withAdapter.getSequence() }).generateCompletion("Once", { maxTokens: 8, temperature: 0 })).not.toBe("");
    await withAdapter.dispose();
    await base.dispose();
  });
});
