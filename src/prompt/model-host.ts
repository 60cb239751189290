// One base model and every generator made from it, whichever path each adapter set needs: node-llama-cpp for the
// base model and LoRA, our engine for the adapters llama.cpp cannot run (prompt tuning, prefix tuning, ...). generate,
// chat, prompts run and serve all ask this host, so the choice of path is made in one place (needsEnginePath).
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { resolveModelPath } from "../native/model-source.js";
import { chatFormatFor, type ChatFormat } from "./chat-format.js";
import { EngineGenerator, needsEnginePath } from "./engine-generator.js";
import type { TextGenerator } from "./generator.js";
import { LlamaModelHost, modelNameOf, type AdapterSpec, type LlamaHostOptions } from "./llama-generator.js";

export class ModelHost {
  /** Opened on first use: a host that only runs engine adapters never loads the weights into llama.cpp too. */
  private llamaHost: Promise<LlamaModelHost> | undefined;
  private readonly engines = new Map<string, Promise<EngineGenerator>>();

  private constructor(
    readonly modelPath: string,
    /** node-llama-cpp's vocabulary-only model: the chat template and tokenizer both paths share. */
    readonly vocab: LlamaModel,
    private readonly options: LlamaHostOptions,
  ) {}

  /** `model` is a path, hf: URI or URL (resolved once here: the generators below see only the local file). */
  static async open(model: string, options: LlamaHostOptions = {}): Promise<ModelHost> {
    const modelPath = await resolveModelPath(model);
    const vocab = await loadLlamaModel(modelPath, { ...options, vocabOnly: true });
    return new ModelHost(modelPath, vocab, options);
  }

  get name(): string {
    return modelNameOf(this.modelPath);
  }

  /** The model's chat layout (its own template, or the plain fallback). */
  chatFormat(): ChatFormat {
    return chatFormatFor(this.vocab);
  }

  /**
   * The generator for an adapter set (created once, then shared); an empty set is the base model. Engine adapters
   * go alone: mixed with LoRA the promise rejects with AdapterCombinationError.
   */
  async generator(adapters: readonly AdapterSpec[] = []): Promise<TextGenerator> {
    if (!needsEnginePath(adapters)) return (await this.llama()).generator(adapters);
    const key = adapterKey(adapters);
    let engine = this.engines.get(key);
    if (!engine) {
      const { contextSize, threads, gpu } = this.options;
      engine = EngineGenerator.open(this.modelPath, {
        adapter: adapters[0]!,
        ...(contextSize !== undefined ? { contextSize } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(gpu !== undefined ? { gpu } : {}),
      });
      this.engines.set(key, engine);
      // A failed load must not stay cached: the user may fix the file and try again.
      engine.catch(() => this.engines.delete(key));
    }
    return engine;
  }

  /** Frees what an adapter set holds: its llama.cpp context (KV cache), or its engine model, adapter and cache. */
  async release(adapters: readonly AdapterSpec[]): Promise<void> {
    const key = adapterKey(adapters);
    const engine = this.engines.get(key);
    if (engine) {
      this.engines.delete(key);
      await (await engine).dispose();
    } else if (this.llamaHost) {
      await (await this.llamaHost).release(adapters);
    }
  }

  async dispose(): Promise<void> {
    for (const engine of this.engines.values()) await (await engine.catch(() => undefined))?.dispose();
    this.engines.clear();
    await (await this.llamaHost?.catch(() => undefined))?.dispose();
    this.llamaHost = undefined;
    await this.vocab.dispose();
  }

  private llama(): Promise<LlamaModelHost> {
    if (!this.llamaHost) {
      const opening = LlamaModelHost.open(this.modelPath, this.options);
      this.llamaHost = opening;
      opening.catch(() => {
        if (this.llamaHost === opening) this.llamaHost = undefined;
      });
    }
    return this.llamaHost;
  }
}

function adapterKey(adapters: readonly AdapterSpec[]): string {
  return JSON.stringify(adapters.map((a) => [path.resolve(a.path), a.scale ?? 1]));
}
