// What an adaptation method declares: its options schema, how the model is loaded for it, which tensors train and
// how the graph changes, how its adapter file is tagged and read back, its rungs on the ladder and in the doctor's
// plan, and what a finished run leaves for export. Everything else (training loop, generator, ladder, doctor, CLI
// help) reads these fields from the registry, so a method is its own folder plus one registry line.
import type { z } from "zod";
import type { DecoderHooks } from "../engine/graph/hooks.js";
import type { ModelHparams } from "../arch/hparams.js";
import type { DecoderShape } from "../arch/shape.js";
import type { EngineModel, LoadOptions } from "../engine/model.js";
import type { GgufTensorInfo } from "../formats/gguf/index.js";
import type { TrainableTensor } from "../engine/trainer.js";
import type { Bilingual } from "../i18n/index.js";

/** The method's state on a loaded model: what trains, the graph hooks, and cleanup of any tensors it created. */
export interface PreparedMethod {
  trainable: TrainableTensor[];
  hooks: DecoderHooks;
  dispose(): void;
}

/** What the run folder receives when an adapter method finishes. */
export interface AdapterExport {
  model: EngineModel;
  /** Trained tensor values by name. */
  values: ReadonlyMap<string, Float32Array>;
  /** Folder to write into (created by the caller). */
  dir: string;
  baseModelPath: string;
}

export interface MethodDefinition<Options extends Record<string, unknown> = Record<string, unknown>> {
  /** Name on the command line (`localtune train <name>`). */
  name: string;
  /** One line for --help, in both languages. */
  summary: { en: string; ko: string };
  schema: z.ZodType<Options>;
  /** How the base model must be loaded (e.g. F32 weights when all weights train). */
  loadOptions(options: Options): Pick<LoadOptions, "f32Weights">;
  /** Trainable parameters, from the file's tensors and shapes alone: the memory plan runs before anything loads. */
  countTrainable(tensors: readonly GgufTensorInfo[], hparams: ModelHparams, options: Options): number;
  /**
   * Work that needs I/O before the synchronous `prepare` (e.g. tokenizing a prompt-tuning init text with the model's
   * tokenizer); returns the options `prepare` receives. Absent: the options go to `prepare` as they are.
   */
  resolveOptions?(options: Options, context: { modelPath: string }): Promise<Options>;
  prepare(model: EngineModel, options: Options, seed: number): PreparedMethod;
  /** The trained result leaves as a whole model (GGUF with replaced tensors) or as an adapter. */
  output: "model" | "adapter";
  /** Writes the adapter files (adapter methods); returns the main file written. */
  exportAdapter?(options: Options, exported: AdapterExport): Promise<string>;
  /** Options the method fills in itself (prompt tuning's initTokens, from initText): every other field of the schema
   *  is a flag of `localtune train <name>`, generated from the schema. */
  derivedOptions?: readonly string[];
  /** The adapter file the method saves and how to load it back (absent: the run leaves a whole model). */
  adapter?: MethodAdapterFile;
  /** Files of a finished run, the first being what a runtime (llama.cpp, Ollama, LM Studio) should load. */
  exportFormats: readonly MethodExportFormat[];
  /** Place on the ladder: lower runs first (cheapest methods first; DAPT last). */
  ladderPosition: number;
  /** The method's ladder rungs; empty: one rung with the default options at defaultLr. */
  ladderVariants: readonly LadderVariant[];
  /** Peak learning rate when a rung gives none. */
  defaultLr: number;
  /** The method's rungs in the doctor's plan. */
  doctorFormulas: readonly DoctorFormula[];
}

/** A saved adapter applied to a loaded base: the decoder hooks it adds and what frees its tensors. */
export interface LoadedAdapter {
  hooks: DecoderHooks;
  dispose(): void;
}

/** The method's saved adapter file: a GGUF with general.type "adapter" and this adapter.type. */
export interface MethodAdapterFile {
  /** GGUF adapter.type written into the file, e.g. "bitfit". */
  type: string;
  /** How help text and messages name this kind of adapter. */
  label: Bilingual;
  /** llama.cpp (so node-llama-cpp, Ollama, LM Studio) loads it itself; otherwise generation runs on localtune's engine. */
  llamaCppLoads: boolean;
  /** Applies the saved adapter (a file or a training run folder's adapter file) to `model`; bad files throw a named error. */
  load(model: EngineModel, file: string): LoadedAdapter | Promise<LoadedAdapter>;
}

/** One rung of the method on the ladder (`localtune ladder`): options and peak learning rate for that run. */
export interface LadderVariant {
  /** Rung id in --methods, the report and run folder names, e.g. "lora-r16". */
  id: string;
  /** Display name, e.g. "LoRA r=16". */
  label: string;
  options: Record<string, unknown>;
  /** Peak learning rate; default: the method's defaultLr. */
  lr?: number;
}

/** The model's sizes the doctor's arithmetic sees (read from a GGUF or from its table of common models): the decoder's
 *  sizes (letters in arch/shape.ts) and its parameter count. */
export type DoctorShape = Pick<DecoderShape, "nLayer" | "nEmbd" | "nFf" | "nHead" | "nHeadKv" | "headDim"> & {
  /** Every parameter, counted once. */
  totalParams: number;
};

/**
 * One rung of the method in the doctor's plan, as arithmetic over the model's shape. The doctor turns it into memory
 * (the engine's training plan) and FLOPs per token: a frozen base costs 4N + 3A per token, every weight 6N + 3A
 * (N matmul parameters, A attention FLOPs), plus flopsPerParam for each trainable parameter.
 */
export interface DoctorFormula {
  /** Rung id in the doctor's table, e.g. "lora-r16-q8_0". */
  id: string;
  /** Ladder level (1 = a few vectors .. 4 = every weight). */
  level: 1 | 2 | 3 | 4;
  /** "frozen": the base does not train (gradients still flow through it); "full": every weight trains in F32. */
  compute: "frozen" | "full";
  /** Trainable parameters; p: the virtual tokens (or prefix length) the doctor plans with. */
  trainableParams(shape: DoctorShape, p: number): number;
  /** FLOPs per token of the trainable part itself, per trainable parameter (LoRA: 6, its two small matmuls forward
   *  and backward; a bias: 1, its gradient's sum over tokens). */
  flopsPerParam: number;
  /** "virtual-tokens": p positions before every sequence (they query and are attended); "prefix-keys": p keys every
   *  query also sees. */
  extraPositions?: "virtual-tokens" | "prefix-keys";
  /** The frozen base held as this ggml type instead of the file's (quantized-base rungs: "q8_0", "q4_K"). */
  baseType?: string;
}

/** A file a finished run leaves that other programs load, relative to the run folder. */
export interface MethodExportFormat {
  /** "gguf-lora": llama.cpp LoRA adapter; "peft": Hugging Face PEFT folder; "gguf-model": a whole model llama.cpp
   *  loads (merged, or every weight trained); "engine-gguf": an adapter only localtune's engine runs. */
  format: "gguf-lora" | "peft" | "gguf-model" | "engine-gguf";
  path: string;
}
