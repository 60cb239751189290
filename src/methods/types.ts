// What an adaptation method declares: its options schema, how the model is loaded for it, which tensors train and
// how the graph changes. The training loop, checkpoints and export work the same for every method.
import type { z } from "zod";
import type { DecoderHooks } from "../arch/decoder.js";
import type { ModelHparams } from "../arch/hparams.js";
import type { EngineModel, LoadOptions } from "../engine/model.js";
import type { GgufTensorInfo } from "../formats/gguf/index.js";
import type { TrainableTensor } from "../engine/trainer.js";

/** The method's state on a loaded model: what trains, the graph hooks, and cleanup of any tensors it created. */
export interface PreparedMethod {
  trainable: TrainableTensor[];
  hooks: DecoderHooks;
  dispose(): void;
}

/** A command-line option of a method (`localtune train <method> --rank 8`), mapped onto its options object. */
export interface MethodCliOption {
  /** commander flags, e.g. "--rank <n>". */
  flags: string;
  description: string;
  /** Key in the method's options. */
  key: string;
  /** Converts the raw string (absent for boolean flags). */
  parse?: (value: string) => unknown;
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
  /** Method-specific command-line options. */
  cliOptions: readonly MethodCliOption[];
}
