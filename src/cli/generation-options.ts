// Options shared by the generation commands (generate, chat, prompts run, serve): model loading, adapters, sampling.
// The sampling flags are generated from the sampling schema (../prompt/sampling.ts), which parses them once.
import { Option, type Command } from "commander";
import { z } from "zod";
import type { AdapterSpec, LlamaHostOptions } from "../prompt/index.js";
import { SamplingSchema } from "../prompt/index.js";
import { parseDeviceChoice } from "../native/device-choice.js";
import { addCtxOption } from "./context-option.js";
import { MODEL_SPEC_HELP } from "./model-source-options.js";
import { gpuLayers, type GpuLayers } from "./options.js";
import { addSchemaOptions } from "./schema-options.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --model, --adapter, --gpu-layers, --ctx (--device and --threads come from compute-options.ts). */
export function addModelOptions(command: Command, adapterHelp: string): Command {
  const withModel = command
    .requiredOption("-m, --model <model>", MODEL_SPEC_HELP)
    .option("-a, --adapter <path[@scale]>", adapterHelp, collect, [])
    .addOption(new Option("--gpu <backend>", "older name of --device").hideHelp())
    .option("--gpu-layers <n>", "layers on the GPU: auto, max or a number / GPU에 올릴 층 수", gpuLayers, "auto");
  return addCtxOption(withModel, "tokens of context (default: the model's, at most 4096) / 컨텍스트 토큰 수");
}

/** Sampling fields without a flag: the OpenAI-style penalties are for API requests (serve) and the library. */
const NOT_SAMPLING_FLAGS = ["frequencyPenalty", "presencePenalty"] as const;

/** The sampling flags' spellings: the short -t and -n, and --stop taking one whole string per flag. */
const SAMPLING_FLAGS = { temperature: "-t, --temperature <x>", maxTokens: "-n, --max-tokens <n>", stop: "--stop <text>" };

/** --temperature, --top-k, --top-p, --min-p, --repeat-penalty, --seed, --max-tokens and --stop (repeatable: a stop
 *  string may contain commas), from the sampling schema; `maxTokens` is the command's own default. Returns the reader
 *  of the sampling options. */
export function addSamplingOptions(command: Command, maxTokens?: number) {
  return addSchemaOptions(command, SamplingSchema, {
    omit: NOT_SAMPLING_FLAGS,
    flags: SAMPLING_FLAGS,
    repeat: ["stop"],
    ...(maxTokens !== undefined ? { defaults: { maxTokens } } : {}),
  });
}

/** serve's --max-tokens: the sampling schema's field, as the default of requests that give no max_tokens. */
const ServeSamplingSchema = z.object({
  maxTokens: SamplingSchema.shape.maxTokens.describe("max_tokens when a request gives none").meta({ ko: "요청에 max_tokens가 없을 때의 값" }),
});

/** Adds serve's --max-tokens (default 512); returns the reader of its value. */
export function addServeSamplingOptions(command: Command) {
  const read = addSchemaOptions(command, ServeSamplingSchema, { defaults: { maxTokens: 512 } });
  return (options: Record<string, unknown>) => ServeSamplingSchema.parse(read(options));
}

/** The model flags' values as commander parsed them (addModelOptions and the compute options). */
export interface ModelFlags {
  device?: string;
  /** The older name of --device. */
  gpu?: string;
  gpuLayers: GpuLayers;
  /** --ctx, or its older name --context-size. */
  ctx?: number;
  threads?: number;
}

/** Parses "path" or "path@scale" (the last @ followed by a number). */
export function parseAdapter(value: string): AdapterSpec {
  const match = /^(.*)@(-?\d+(?:\.\d+)?)$/.exec(value);
  return match ? { path: match[1]!, scale: Number(match[2]) } : { path: value };
}

export function hostOptionsFrom(raw: ModelFlags, parallel?: number): LlamaHostOptions {
  const device = raw.device ?? raw.gpu;
  return {
    ...(device !== undefined ? { gpu: parseDeviceChoice(device) } : {}),
    gpuLayers: raw.gpuLayers,
    ...(raw.ctx !== undefined ? { contextSize: raw.ctx } : {}),
    ...(raw.threads !== undefined ? { threads: raw.threads } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
  };
}
