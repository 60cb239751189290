// The engine generation path: adapters llama.cpp cannot run (those of the registered methods whose adapter file says
// so: prompt tuning, prefix tuning and the like) generate through our ggml engine with a key/value cache, behind the same TextGenerator interface as the node-llama-cpp path.
// Tokenization, detokenization and end-of-generation tokens come from node-llama-cpp's vocabulary-only model, so both
// paths read and write text identically.
import fs from "node:fs";
import path from "node:path";
import type { LlamaModel, LlamaText, Token } from "node-llama-cpp";
import { CachedDecoder } from "../engine/generate.js";
import { EngineModel } from "../engine/model.js";
import { AdapterCombinationError, InvalidConfigError, PromptTooLongError } from "../errors.js";
import { readGguf } from "../formats/gguf/index.js";
import { engineAdapterList, engineAdapterMethods, methodOfAdapterType } from "../methods/registry.js";
import type { LoadedAdapter } from "../methods/types.js";
import { loadLlamaModel, type GpuChoice } from "../native/llama-runtime.js";
import type { GenerateRequest, GenerationResult, StopReason, StopTrigger, TextGenerator } from "./generator.js";
import type { AdapterSpec } from "./llama-generator.js";
import { modelNameOf } from "./llama-generator.js";
import { StopStream } from "./stop-stream.js";
import { TokenSampler } from "./token-sampler.js";

/** adapter.type values that only the engine path runs, from the registered methods. */
export function engineAdapterTypes(): string[] {
  return engineAdapterMethods().map((m) => m.adapter!.type);
}
/** An adapter.type of engineAdapterTypes(). */
export type EngineAdapterType = string;

/** The file an adapter path names: the path itself, or a training run folder's adapter.gguf (in it or in its adapter/). */
export function engineAdapterFile(adapter: string): string {
  if (!fs.existsSync(adapter) || !fs.statSync(adapter).isDirectory()) return adapter;
  const inner = [path.join(adapter, "adapter.gguf"), path.join(adapter, "adapter", "adapter.gguf")].find((f) => fs.existsSync(f));
  return inner ?? adapter;
}

/** The engine adapter kind of a file or run folder, or undefined for anything else (GGUF LoRA, PEFT folders, unreadable files). */
export function engineAdapterType(adapter: string): EngineAdapterType | undefined {
  const file = engineAdapterFile(adapter);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
  let type: string;
  try {
    const gguf = readGguf(file);
    if (gguf.getString("general.type", "") !== "adapter") return undefined;
    type = gguf.getString("adapter.type", "");
  } catch {
    return undefined; // not GGUF: the node-llama-cpp path reports what is wrong with it
  }
  return engineAdapterTypes().includes(type) ? type : undefined;
}

/** Whether a set of adapters needs the engine path; throws when engine and LoRA adapters are mixed. */
export function needsEnginePath(adapters: readonly AdapterSpec[]): boolean {
  const engine = adapters.filter((a) => engineAdapterType(a.path) !== undefined);
  if (engine.length === 0) return false;
  if (adapters.length > 1) {
    const kinds = engineAdapterList();
    throw new AdapterCombinationError(adapters.map((a) => a.path), {
      en: `A ${kinds.en} adapter runs on localtune's engine, alone: give it as the only --adapter (merge a LoRA into the base first with \`localtune adapters merge\`).`,
      ko: `${kinds.ko} 어댑터는 localtune 엔진에서 단독으로 실행됩니다. --adapter로 하나만 주세요 (LoRA는 먼저 \`localtune adapters merge\`로 기본 모델에 합치세요).`,
    });
  }
  return true;
}

export interface EngineGeneratorOptions {
  /** An engine adapter file (see engineAdapterTypes); absent = the base model. */
  adapter?: AdapterSpec;
  /** Tokens of context (prompt plus generation; adapter tokens come on top). Default: the model's, at most 4096. */
  contextSize?: number;
  /** CPU threads. Default: the engine's choice (LOCALTUNE_THREADS or the core count). */
  threads?: number;
  /** "cuda", "vulkan" or "metal" compute on the GPU; "auto" and "cpu" on the CPU. Default "cpu". */
  gpu?: GpuChoice;
}

/** Generation through the engine; requests run one at a time, in order (one key/value cache). */
export class EngineGenerator implements TextGenerator {
  private queue: Promise<unknown> = Promise.resolve();
  /** Requests accepted and not yet finished: the first generates, the rest wait. */
  private pending = 0;

  private constructor(
    readonly id: string,
    /** node-llama-cpp's vocabulary-only model: tokenizer, detokenizer, chat template. */
    readonly vocab: LlamaModel,
    readonly model: EngineModel,
    private readonly decoder: CachedDecoder,
    readonly contextSize: number,
    private readonly adapter: { dispose(): void } | undefined,
  ) {}

  static async open(modelPath: string, options: EngineGeneratorOptions = {}): Promise<EngineGenerator> {
    const device = options.gpu;
    const vocab = await loadLlamaModel(modelPath, { vocabOnly: true, ...(device !== undefined ? { gpu: device } : {}) });
    let model: EngineModel | undefined;
    let adapter: LoadedAdapter | undefined;
    try {
      model = await EngineModel.load(modelPath, { ...(device !== undefined ? { device } : {}), kernelLayouts: true, ...(options.threads !== undefined ? { threads: options.threads } : {}) });
      if (options.adapter) adapter = await loadEngineAdapter(model, options.adapter);
      const hooks = adapter?.hooks ?? {};
      const contextSize = options.contextSize ?? Math.min(model.hparams.nCtxTrain, 4096);
      const reserved = (hooks.virtualTokens?.count ?? 0) + (hooks.attentionPrefix?.count ?? 0);
      const decoder = new CachedDecoder(model, { slots: contextSize + reserved, hooks });
      const id = [modelNameOf(modelPath), ...(options.adapter ? [modelNameOf(options.adapter.path)] : [])].join("+");
      return new EngineGenerator(id, vocab, model, decoder, contextSize, adapter);
    } catch (error) {
      adapter?.dispose();
      model?.dispose();
      await vocab.dispose();
      throw error;
    }
  }

  countTokens(text: string): number {
    return this.vocab.tokenize(text).length;
  }

  get active(): number {
    return Math.min(this.pending, 1);
  }

  get queued(): number {
    return Math.max(this.pending - 1, 0);
  }

  generate(request: GenerateRequest): Promise<GenerationResult> {
    this.pending++;
    const run = this.queue.then(() => this.generateNow(request)).finally(() => this.pending--);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.queue;
    this.decoder.dispose();
    this.adapter?.dispose();
    this.model.dispose();
    await this.vocab.dispose();
  }

  private async generateNow(request: GenerateRequest): Promise<GenerationResult> {
    const { sampling, signal } = request;
    const tokens = this.promptTokens(request.prompt);
    // No context shift here: the prompt must leave room for at least one generated token.
    const limit = this.contextSize - 1;
    if (tokens.length > limit) throw new PromptTooLongError(tokens.length, limit);
    const started = performance.now();
    if (signal?.aborted) return { text: "", stopReason: "abort", promptTokens: tokens.length, completionTokens: 0, durationMs: 0, firstTokenMs: 0, tokensPerSecond: 0, seed: sampling.seed };
    const sampler = new TokenSampler(sampling, this.vocab.tokens.nl === null ? {} : { newlineToken: this.vocab.tokens.nl });
    const stream = new StopStream({
      detokenize: (t) => this.vocab.detokenize(t as Token[]),
      ...this.stopTriggers([...sampling.stop, ...(request.stopTriggers ?? [])]),
      ...(request.onText ? { onText: request.onText } : {}),
    });
    this.decoder.reset();
    let logits = this.decoder.evaluate(tokens);
    let firstTokenAt: number | undefined;
    let generated = 0;
    let stopReason: StopReason;
    for (;;) {
      if (signal?.aborted) {
        stopReason = "abort";
        break;
      }
      const token = sampler.sample(logits);
      firstTokenAt ??= performance.now();
      if (this.vocab.isEogToken(token as Token)) {
        stopReason = "eos";
        break;
      }
      sampler.accept(token);
      generated++;
      if (stream.push(token)) {
        stopReason = "stop";
        break;
      }
      if (generated >= sampling.maxTokens || this.decoder.remaining === 0) {
        stopReason = "length";
        break;
      }
      logits = this.decoder.evaluate([token]);
      // Let timers, aborts and other requests' I/O run between tokens (a server streams while this generates).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { text, tokens: kept } = stream.finish();
    const ended = performance.now();
    const decodeMs = firstTokenAt === undefined ? 0 : ended - firstTokenAt;
    return {
      text,
      stopReason,
      promptTokens: tokens.length,
      completionTokens: kept.length,
      durationMs: ended - started,
      firstTokenMs: (firstTokenAt ?? ended) - started,
      // As on the node-llama-cpp path: the first token's time is prompt evaluation, decode speed counts the rest.
      tokensPerSecond: decodeMs > 0 ? ((kept.length - 1) * 1000) / decodeMs : 0,
      seed: sampling.seed,
    };
  }

  /** BOS (when the model wants one) and the prompt's tokens, tokenized like the node-llama-cpp path does. */
  private promptTokens(prompt: string | readonly Token[]): number[] {
    const tokens: number[] = typeof prompt === "string" ? this.vocab.tokenize(prompt) : prompt.slice();
    const bos = this.vocab.tokens.bos;
    if (bos !== null && this.vocab.tokens.shouldPrependBosToken && tokens[0] !== bos) tokens.unshift(bos);
    if (tokens.length === 0) {
      throw new InvalidConfigError({ en: "the prompt is empty and the model has no BOS token to start from: give a prompt.", ko: "프롬프트가 비어 있고 모델에 시작(BOS) 토큰이 없습니다. 프롬프트를 주세요." });
    }
    return tokens;
  }

  /** Plain-text triggers are matched in the text; triggers with special tokens (chat templates) in the tokens. */
  private stopTriggers(triggers: readonly StopTrigger[]): { stopStrings: string[]; stopTokens: number[][] } {
    const stopStrings: string[] = [];
    const stopTokens: number[][] = [];
    for (const trigger of triggers) {
      if (typeof trigger === "string") stopStrings.push(trigger);
      else if (trigger.values.every((v) => typeof v === "string")) stopStrings.push(trigger.toString());
      else stopTokens.push((trigger as LlamaText).tokenize(this.vocab.tokenizer));
    }
    return { stopStrings: stopStrings.filter((s) => s.length > 0), stopTokens: stopTokens.filter((t) => t.length > 0) };
  }
}

/** Loads an engine adapter onto the model through its method: its decoder hooks and what frees them. */
async function loadEngineAdapter(model: EngineModel, spec: AdapterSpec): Promise<LoadedAdapter> {
  const file = engineAdapterFile(spec.path);
  const type = engineAdapterType(file);
  if ((spec.scale ?? 1) !== 1) {
    throw new InvalidConfigError({
      en: `${spec.path}: a ${type ?? "non-LoRA"} adapter has no strength to scale; give it without @${spec.scale}.`,
      ko: `${spec.path}: ${type ?? "LoRA가 아닌"} 어댑터에는 배율을 줄 수 없습니다. @${spec.scale} 없이 주세요.`,
    });
  }
  const method = type === undefined ? undefined : methodOfAdapterType(type);
  if (!method?.adapter) {
    const types = engineAdapterTypes().join(", ");
    throw new InvalidConfigError({
      en: `${spec.path} is not an adapter the engine runs (expected a GGUF with adapter.type ${types}).`,
      ko: `${spec.path}은(는) 엔진이 실행하는 어댑터가 아닙니다 (adapter.type이 ${types} 중 하나인 GGUF가 필요합니다).`,
    });
  }
  return method.adapter.load(model, file);
}
