// The GPU check: a few training steps of every method on a GPU device (CUDA, Vulkan or Metal) against the same steps
// on the CPU backend of the same node-llama-cpp build, then perplexity on both, with tokens/s. It runs unchanged on
// a machine with an NVIDIA GPU (bench/gpu-check.sh) and, with --device vulkan and GGML_VK_VISIBLE_DEVICES=0, on
// Mesa's software device. Exits 1 when a loss differs by more than 3e-3 relative or perplexity by more than 1e-3.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel } from "../src/engine/random-model.js";
import { EngineModel } from "../src/engine/model.js";
import { perplexity } from "../src/engine/perplexity.js";
import { tokenizeForScoring } from "../src/engine/measure-perplexity.js";
import { GgmlType } from "../src/formats/gguf/index.js";
import { parseDeviceChoice, selectDevice } from "../src/native/device-choice.js";
import { getLlamaRuntime } from "../src/native/llama-runtime.js";
import { resolveTrainConfig, RunFolder } from "../src/train/index.js";
import { runTrainingLoop, type TrainEvent } from "../src/train/loop.js";
import { median, printTable } from "./stats.js";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const device = parseDeviceChoice(arg("device", "cuda"));
const steps = Number(arg("steps", "8"));
const methods = arg("methods", "full,lora,bitfit,ia3,prompt-tuning,prefix-tuning").split(",");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-gpu-check-"));
const trainText = path.join(tmp, "train.txt");
fs.writeFileSync(trainText, fs.readFileSync("corpus/maple-hill/train.txt", "utf8").slice(0, 60_000));

selectDevice(device);
const llama = await getLlamaRuntime();
console.log(`node-llama-cpp build: ${llama.gpu === false ? "cpu" : llama.gpu}; GPU devices: ${(await llama.getGpuDeviceNames()).join(", ") || "none"}`);

// stories260K checks numbers; a random-weight model of a small real size (d 576, 8 layers) gives meaningful tokens/s.
// --models stories260K alone keeps a software device's run short.
const wanted = arg("models", "stories260K,d576").split(",");
const models = [
  { name: "stories260K", key: "stories260K", file: path.resolve("models/stories260K.gguf"), ctx: 64, batch: 4 },
  { name: "llama d576 L8 (random)", key: "d576", file: path.join(tmp, "d576.gguf"), ctx: 256, batch: 4 },
].filter((m) => wanted.includes(m.key));
if (wanted.includes("d576")) await writeRandomModel(path.join(tmp, "d576.gguf"), { arch: "llama", nLayer: 8, nEmbd: 576, nFf: 1536, nHead: 9, nHeadKv: 3, vocabFile: path.resolve("test/fixtures/vocab/ggml-vocab-llama-spm.gguf"), weightType: GgmlType.F32, seed: 1 });

async function train(on: string, method: string, m: (typeof models)[number]) {
  const folder = RunFolder.create(resolveTrainConfig({ method, model: m.file, data: [trainText], out: path.join(tmp, `${m.name}-${method}-${on}`.replace(/\W+/g, "-")), steps, ctx: m.ctx, batch: m.batch, lr: 1e-3, evalEvery: 0, saveEvery: steps, device: on as "cpu" }));
  const events: TrainEvent[] = [];
  await runTrainingLoop(folder.dir, { stopRequested: false }, (e) => events.push(e));
  const start = events.find((e): e is Extract<TrainEvent, { type: "start" }> => e.type === "start")!;
  const stepEvents = events.filter((e): e is Extract<TrainEvent, { type: "step" }> => e.type === "step");
  // The first step includes kernel compilation and uploads: tokens/s from the later ones.
  return { losses: stepEvents.map((e) => e.loss), tps: median(stepEvents.slice(1).map((e) => e.tokensPerSecond)), start };
}

let failed = false;
const rows: Array<Record<string, string | number>> = [];
for (const m of models) {
  for (const method of methods) {
    const cpu = await train("cpu", method, m);
    const gpu = await train(device, method, m);
    const worst = Math.max(...gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]!) / Math.abs(cpu.losses[i]!)));
    if (m.name === "stories260K" && !(worst < 3e-3)) failed = true;
    rows.push({ model: m.name, method, device: gpu.start.device.name, "max rel loss diff": worst.toExponential(2), "GPU tok/s": gpu.tps.toFixed(0), "CPU tok/s": cpu.tps.toFixed(0), "on CPU": gpu.start.cpuFallbackOps.join(" ") || "-" });
  }
}
const stories = path.resolve("models/stories260K.gguf");
const tokens = await tokenizeForScoring(stories, fs.readFileSync("corpus/maple-hill/heldout.txt", "utf8"));
const ppl: Record<string, number> = {};
for (const on of ["cpu", device]) {
  const model = await EngineModel.load(stories, { device: on as "cpu" });
  ppl[on] = perplexity(model, tokens, { ctx: 256, stride: 256 }).perplexity;
  model.dispose();
}
const pplDiff = Math.abs(ppl[device]! - ppl.cpu!) / ppl.cpu!;
if (!(pplDiff < 1e-3)) failed = true;
printTable(rows);
console.log(`perplexity stories260K: CPU ${ppl.cpu!.toFixed(4)}, ${device} ${ppl[device]!.toFixed(4)} (rel diff ${pplDiff.toExponential(2)})`);
console.log(`${os.cpus()[0]?.model ?? "CPU"}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; ${failed ? "FAILED" : "all within 3e-3 (loss) and 1e-3 (perplexity)"}`);
fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
