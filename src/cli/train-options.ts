// The flags of a training run, generated from the training config's schema and each method's options schema: used by
// `train <method>` and by `export-job` (which takes the same flags when there is no run folder to read them from).
import type { Command } from "commander";
import type { Bilingual } from "../i18n/index.js";
import type { MethodDefinition } from "../methods/types.js";
import { TrainConfigSchema } from "../train/index.js";
import { addSchemaOptions, type SchemaOptionsSpec } from "./schema-options.js";

/** Config fields without a flag: the method is the subcommand, its options have their own flags, --device is a
 *  compute option of every command, and the optimizer's finer settings are for config files and the UI. */
const NOT_FLAGS = ["method", "methodOptions", "device", "minLrRatio", "beta1", "beta2", "adamEps", "evalBatches"] as const;

/** Flags spelled other than by the field's name: --val fills valData; data takes several paths. */
const TRAIN_FLAGS = { model: "--model <model>", data: "--data <paths...>", valData: "--val <paths...>", out: "--out <dir>" };

/** Adds the training config's flags; `omit` leaves out more of them (export-job has its own --out). */
export function addTrainOptions<const Omitted extends string = never>(command: Command, spec: SchemaOptionsSpec<Omitted> = {}) {
  return addSchemaOptions(command, TrainConfigSchema, { ...spec, omit: [...NOT_FLAGS, ...(spec.omit ?? [])], flags: TRAIN_FLAGS });
}

/** Adds a method's own flags (`--rank`, `--sites`...) from its options schema; returns the reader of its options. */
export function addMethodOptions(command: Command, method: MethodDefinition, prefix?: Bilingual) {
  return addSchemaOptions(command, method.schema, { omit: method.derivedOptions ?? [], ...(prefix ? { prefix } : {}) });
}
