// The node-llama-cpp generation path: base models and GGUF LoRA adapters, sampled by llama.cpp itself.
// One LlamaContext per adapter set (llama.cpp binds LoRA adapters to a context), each with a pool of sequences.
import path from "node:path";
import { LlamaCompletion, type LlamaContext, type LlamaModel, type Token } from "node-llama-cpp";
import { resolveAdapterFile } from "../methods/lora/resolve.js";
import { AdapterLoadError, PromptTooLongError } from "../errors.js";
import { llamaContextThreads, loadLlamaModel, type LoadModelOptions } from "../native/llama-runtime.js";
import type { GenerateRequest, GenerationResult, StopReason, TextGenerator } from "./generator.js";
import { toLlamaSampling } from "./sampling.js";
import { SequencePool } from "./sequence-pool.js";

/** A LoRA adapter file and how strongly to apply it. */
export interface AdapterSpec {
  /** A GGUF LoRA adapter (general.type = adapter, adapter.type = lora), a PEFT LoRA folder, or a folder with adapter.gguf. */
  path: string;
  /** Multiplier of the adapter's delta: 0 = no effect, 1 = as trained. Default 1. */
  scale?: number;
}

export interface LlamaHostOptions extends LoadModelOptions {
  /** Tokens of context per sequence. Default: the model's training context, at most 4096. */
  contextSize?: number;
  /** CPU threads per evaluation. Default: node-llama-cpp's choice (the machine's math cores). */
  threads?: number;
  /** Sequences per context: how many requests generate at once; more wait in a queue. Default 1. */
  parallel?: number;
}

/** A model name for ids and tables: the file name without its .gguf extension. */
export function modelNameOf(file: string): string {
  return path.basename(file).replace(/\.gguf$/i, "");
}

/** Owns one loaded base model and the contexts (one per adapter set) that generate from it. */
export class LlamaModelHost {
  private readonly generators = new Map<string, Promise<LlamaCppGenerator>>();

  private constructor(
    readonly model: LlamaModel,
    readonly modelPath: string,
    private readonly options: LlamaHostOptions,
  ) {}

  static async open(modelPath: string, options: LlamaHostOptions = {}): Promise<LlamaModelHost> {
    const model = await loadLlamaModel(modelPath, options);
    return new LlamaModelHost(model, modelPath, options);
  }

  get name(): string {
    return modelNameOf(this.modelPath);
  }

  /** The generator for an adapter set (created once, then shared). An empty set is the base model. */
  generator(adapters: readonly AdapterSpec[] = []): Promise<LlamaCppGenerator> {
    const key = JSON.stringify(adapters.map((a) => [path.resolve(a.path), a.scale ?? 1]));
    let generator = this.generators.get(key);
    if (!generator) {
      generator = this.createGenerator(adapters);
      this.generators.set(key, generator);
      // A failed load must not stay cached: the user may fix the file and try again.
      generator.catch(() => this.generators.delete(key));
    }
    return generator;
  }

  /** Frees the context of an adapter set (its KV cache). llama.cpp keeps the adapter weights until the model goes. */
  async release(adapters: readonly AdapterSpec[]): Promise<void> {
    const key = JSON.stringify(adapters.map((a) => [path.resolve(a.path), a.scale ?? 1]));
    const generator = this.generators.get(key);
    this.generators.delete(key);
    if (generator) await (await generator).context.dispose();
  }

  async dispose(): Promise<void> {
    for (const generator of this.generators.values()) await (await generator.catch(() => undefined))?.context.dispose();
    this.generators.clear();
    await this.model.dispose();
  }

  private async createGenerator(adapters: readonly AdapterSpec[]): Promise<LlamaCppGenerator> {
    // GGUF files as they are; PEFT folders converted once for this base model (cached); run folders' adapter.gguf.
    const files = await Promise.all(adapters.map((a) => resolveAdapterFile(a.path, this.modelPath)));
    const contextSize = this.options.contextSize ?? Math.min(this.model.trainContextSize, 4096);
    let context: LlamaContext;
    try {
      context = await this.model.createContext({
        contextSize,
        sequences: this.options.parallel ?? 1,
        threads: llamaContextThreads(this.model.llama, this.model, this.options.threads),
        ...(adapters.length > 0
          ? { lora: { adapters: adapters.map((a, i) => ({ filePath: path.resolve(files[i]!), scale: a.scale ?? 1 })) } }
          : {}),
      });
    } catch (error) {
      if (adapters.length === 0) throw error;
      throw new AdapterLoadError(adapters.map((a) => a.path).join(", "), this.modelPath, (error as Error).message);
    }
    const id = [this.name, ...adapters.map((a) => modelNameOf(a.path) + ((a.scale ?? 1) === 1 ? "" : `*${a.scale}`))].join("+");
    return new LlamaCppGenerator(id, this.model, context);
  }
}

/** Generation through node-llama-cpp's LlamaCompletion on a pooled context sequence. */
export class LlamaCppGenerator implements TextGenerator {
  readonly pool: SequencePool;

  constructor(
    readonly id: string,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
  ) {
    this.pool = new SequencePool(context);
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  get active(): number {
    return this.pool.busy;
  }

  get queued(): number {
    return this.pool.queued;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  async generate(request: GenerateRequest): Promise<GenerationResult> {
    const sampling = request.sampling;
    const tokens = this.promptTokens(request.prompt);
    const promptTokens = tokens.length + (this.prependsBos() ? 1 : 0);
    // LlamaCompletion keeps 10% of the context free for its context shift and drops the start of a longer prompt
    // without a word: refuse instead, so nobody evaluates a prompt that was cut.
    const limit = this.context.contextSize - Math.floor(this.context.contextSize / 10);
    if (promptTokens > limit) throw new PromptTooLongError(promptTokens, limit);
    const sequence = await this.pool.acquire(request.signal);
    const started = performance.now();
    if (!sequence) return emptyResult("abort", promptTokens, sampling.seed);
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    let completionTokens = 0;
    let firstTokenAt: number | undefined;
    try {
      const { response, metadata } = await completion.generateCompletionWithMeta(tokens, {
        ...toLlamaSampling(sampling),
        customStopTriggers: [...sampling.stop, ...(request.stopTriggers ?? [])],
        ...(request.signal ? { signal: request.signal, stopOnAbortSignal: true } : {}),
        onToken: (generated) => {
          firstTokenAt ??= performance.now();
          completionTokens += generated.length;
        },
        ...(request.onText ? { onTextChunk: request.onText } : {}),
      });
      const ended = performance.now();
      const decodeMs = firstTokenAt === undefined ? 0 : ended - firstTokenAt;
      return {
        text: response,
        stopReason: STOP_REASONS[metadata.stopReason],
        promptTokens,
        completionTokens,
        durationMs: ended - started,
        firstTokenMs: (firstTokenAt ?? ended) - started,
        // The first token's time is prompt evaluation; decode speed counts the tokens after it.
        tokensPerSecond: decodeMs > 0 ? ((completionTokens - 1) * 1000) / decodeMs : 0,
        seed: sampling.seed,
      };
    } finally {
      completion.dispose({ disposeSequence: false });
      this.pool.release(sequence);
    }
  }

  /** Prompt tokens without the BOS that LlamaCompletion adds itself (a chat template may already carry one). */
  private promptTokens(prompt: string | readonly Token[]): Token[] {
    // Tokenized like llama.cpp's own tools (SentencePiece adds its leading space), not with node-llama-cpp's
    // completion default that trims it: the model was trained on text with that space.
    const tokens = typeof prompt === "string" ? this.model.tokenize(prompt) : prompt.slice();
    if (this.prependsBos() && tokens[0] === this.model.tokens.bos) tokens.shift();
    return tokens;
  }

  private prependsBos(): boolean {
    return this.model.tokens.bos != null && this.model.tokens.shouldPrependBosToken;
  }
}

const STOP_REASONS: Record<"eogToken" | "stopGenerationTrigger" | "customStopTrigger" | "maxTokens" | "abort", StopReason> = {
  eogToken: "eos",
  stopGenerationTrigger: "stop",
  customStopTrigger: "stop",
  maxTokens: "length",
  abort: "abort",
};

function emptyResult(stopReason: StopReason, promptTokens: number, seed: number): GenerationResult {
  return { text: "", stopReason, promptTokens, completionTokens: 0, durationMs: 0, firstTokenMs: 0, tokensPerSecond: 0, seed };
}
