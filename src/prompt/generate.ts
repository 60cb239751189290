// One-shot generation: load the model (and adapters), generate from a prompt, free everything. The adapters decide
// the path: node-llama-cpp for base models and LoRA, our engine for the adapters llama.cpp cannot run.
import type { ChatFormat } from "./chat-format.js";
import type { GenerationResult, TextGenerator } from "./generator.js";
import type { AdapterSpec, LlamaHostOptions } from "./llama-generator.js";
import { ModelHost } from "./model-host.js";
import { resolveSampling, type Sampling, type SamplingInput } from "./sampling.js";

export interface GenerateTextOptions extends LlamaHostOptions {
  model: string;
  adapters?: AdapterSpec[];
  prompt: string;
  /** Wrap the prompt as a user turn in the model's chat template (with `system`). Default: raw completion. */
  chat?: boolean;
  system?: string;
  sampling?: SamplingInput;
  onText?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface GenerateTextResult extends GenerationResult {
  /** Generator id, e.g. "stories260K+my-lora". */
  model: string;
  /** The chat layout used, or undefined for raw completion; fromModel false means the plain fallback. */
  chatTemplate?: { name: string; fromModel: boolean };
}

export async function generateText(options: GenerateTextOptions): Promise<GenerateTextResult> {
  const sampling = resolveSampling(options.sampling);
  const host = await ModelHost.open(options.model, options);
  try {
    return await generateWith(await host.generator(options.adapters), host.chatFormat(), options, sampling);
  } finally {
    await host.dispose();
  }
}

async function generateWith(generator: TextGenerator, format: ChatFormat, options: GenerateTextOptions, sampling: Sampling): Promise<GenerateTextResult> {
  const common = { sampling, ...(options.onText ? { onText: options.onText } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  if (!options.chat) return { model: generator.id, ...(await generator.generate({ prompt: options.prompt.normalize("NFC"), ...common })) };
  const rendered = format.render([
    ...(options.system ? [{ role: "system" as const, content: options.system.normalize("NFC") }] : []),
    { role: "user", content: options.prompt.normalize("NFC") },
  ]);
  const result = await generator.generate({ prompt: rendered.tokens, stopTriggers: rendered.stopTriggers, ...common });
  return { model: generator.id, chatTemplate: { name: format.name, fromModel: format.fromModel }, ...result };
}
