// Options shared by the generation commands (generate, chat, prompts run, serve): model loading, adapters, sampling.
import { Option, type Command } from "commander";
import { InvalidConfigError } from "../errors.js";
import type { AdapterSpec, LlamaHostOptions, SamplingInput } from "../prompt/index.js";
import { parseDeviceChoice } from "../native/device-choice.js";
import { addCtxOption } from "./context-option.js";
import { MODEL_SPEC_HELP } from "./model-source-options.js";
import { finiteNumber, positiveInt } from "./options.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --model, --adapter, --gpu-layers, --ctx (--device and --threads come from compute-options.ts). */
export function addModelOptions(command: Command, adapterHelp: string): Command {
  const withModel = command
    .requiredOption("-m, --model <model>", MODEL_SPEC_HELP)
    .option("-a, --adapter <path[@scale]>", adapterHelp, collect, [])
    .addOption(new Option("--gpu <backend>", "older name of --device").hideHelp())
    .option("--gpu-layers <n>", "layers on the GPU: auto, max or a number / GPU에 올릴 층 수", "auto");
  return addCtxOption(withModel, "tokens of context (default: the model's, at most 4096) / 컨텍스트 토큰 수");
}

/** --temperature, --top-k, --top-p, --min-p, --repeat-penalty, --seed, --max-tokens, --stop. */
export function addSamplingOptions(command: Command, defaultMaxTokens = 256): Command {
  return command
    .option("-t, --temperature <t>", "randomness; 0 = greedy (default 0.8) / 무작위성, 0이면 항상 가장 가능성 높은 토큰", finiteNumber("--temperature"))
    .option("--top-k <k>", "sample among the k most likely tokens; 0 = all (default 40)", finiteNumber("--top-k"))
    .option("--top-p <p>", "sample among the most likely tokens up to probability p (default 0.95)", finiteNumber("--top-p"))
    .option("--min-p <p>", "drop tokens below p x the top probability (default 0.05)", finiteNumber("--min-p"))
    .option("--repeat-penalty <r>", "penalise tokens seen in the last 64; 1 = off (default 1)", finiteNumber("--repeat-penalty"))
    .option("--seed <n>", "random seed for reproducible sampling (default: random, printed)", finiteNumber("--seed"))
    .option("-n, --max-tokens <n>", `most tokens to generate (default ${defaultMaxTokens})`, positiveInt("--max-tokens"), defaultMaxTokens)
    .option("--stop <text>", "stop before this text (repeatable) / 이 문자열 앞에서 멈춤", collect, []);
}

interface RawOptions {
  model: string;
  adapter: string[];
  device?: string;
  gpu?: string;
  gpuLayers: string;
  /** --ctx, or its older name --context-size. */
  ctx?: number;
  threads?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repeatPenalty?: number;
  seed?: number;
  maxTokens: number;
  stop: string[];
}

/** Parses "path" or "path@scale" (the last @ followed by a number). */
export function parseAdapter(value: string): AdapterSpec {
  const match = /^(.*)@(-?\d+(?:\.\d+)?)$/.exec(value);
  return match ? { path: match[1]!, scale: Number(match[2]) } : { path: value };
}

export function hostOptionsFrom(raw: RawOptions, parallel?: number): LlamaHostOptions {
  const device = raw.device ?? raw.gpu;
  const layers = raw.gpuLayers === "auto" || raw.gpuLayers === "max" ? raw.gpuLayers : positiveIntOrZero(raw.gpuLayers);
  return {
    ...(device !== undefined ? { gpu: parseDeviceChoice(device) } : {}),
    gpuLayers: layers,
    ...(raw.ctx !== undefined ? { contextSize: raw.ctx } : {}),
    ...(raw.threads !== undefined ? { threads: raw.threads } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
  };
}

export function samplingFrom(raw: RawOptions): SamplingInput {
  const out: SamplingInput = { maxTokens: raw.maxTokens, stop: raw.stop };
  if (raw.temperature !== undefined) out.temperature = raw.temperature;
  if (raw.topK !== undefined) out.topK = raw.topK;
  if (raw.topP !== undefined) out.topP = raw.topP;
  if (raw.minP !== undefined) out.minP = raw.minP;
  if (raw.repeatPenalty !== undefined) out.repeatPenalty = raw.repeatPenalty;
  if (raw.seed !== undefined) out.seed = raw.seed;
  return out;
}

function positiveIntOrZero(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidConfigError({ en: `--gpu-layers expects auto, max or a whole number, got "${value}".`, ko: `--gpu-layers에는 auto, max 또는 0 이상의 정수가 필요하지만 "${value}"입니다.` });
  }
  return n;
}
