// Commander options generated from a zod options schema, so an option is declared once, in the API's schema: the
// flag is the field's name in kebab case (`gradAccum` -> `--grad-accum`), its help is the field's `.describe()` (and
// `.meta({ ko })` for the Korean half), the schema's default is shown once in that help, and the field itself parses
// the flag's text (./flag-value.ts). The command's action reads the values back typed, keyed as the schema keys them.
import type { Command } from "commander";
import { z } from "zod";
import type { Bilingual } from "../i18n/index.js";
import { optionFields, type OptionField } from "../methods/option-fields.js";
import { flagParser } from "./flag-value.js";
import { BilingualOption } from "./help-language.js";

/** How a command spells a schema's fields where the plain rule does not fit. */
export interface SchemaOptionsSpec<Omitted extends string = never> {
  /** Fields with no flag (set by the command itself, or not for the command line). */
  omit?: readonly Omitted[];
  /** Commander flags of a field when not `--kebab-name <value>`: another name (`--val` for valData, stored as
   *  valData all the same), a clearer value name, or several words (`<paths...>`). */
  flags?: Readonly<Record<string, string>>;
  /** Defaults of the command line that the API does not have (the ladder writes to "ladder" unless told). */
  defaults?: Readonly<Record<string, unknown>>;
  /** Before every help line (export-job's train flags: "without --run: "). */
  prefix?: Bilingual;
  /** No flag is mandatory even where the schema requires the field (export-job's train flags apply without --run). */
  allOptional?: boolean;
  /** List fields given once per element (`--stop a --stop "x, y"`): each flag's text is one whole element, never split
   *  at commas, since an element may contain one. Other list fields take one comma-separated value. */
  repeat?: readonly string[];
}

/** Reads a command's parsed options back as the schema's input: the fields given, and the command line's defaults.
 *  Commander refuses a command without its mandatory flags, so every required field but the omitted ones is there. */
export type SchemaValuesReader<S extends z.ZodType, Omitted extends string = never> = (options: Record<string, unknown>) => Omit<z.input<S>, Omitted>;

/** An option stored under its schema key whatever the flag's name, so `--val` fills valData. */
class SchemaOption extends BilingualOption {
  constructor(
    flags: string,
    help: Bilingual,
    private readonly key: string,
  ) {
    super(flags, help);
  }

  override attributeName(): string {
    return this.key;
  }
}

/** Adds one option per field of `schema` (an object schema) to `command`; returns the reader of their values. */
export function addSchemaOptions<S extends z.ZodType, const Omitted extends string = never>(
  command: Command,
  schema: S,
  spec: SchemaOptionsSpec<Omitted> = {},
): SchemaValuesReader<S, Omitted> {
  const fields = optionFields(schema, spec.omit);
  for (const field of fields) {
    const flags = spec.flags?.[field.name] ?? `--${kebab(field.name)}${valueName(field)}`;
    const repeated = spec.repeat?.includes(field.name) === true;
    if (repeated && field.kind !== "string-list") throw new TypeError(`--${kebab(field.name)}: only a list field can be a repeated flag`);
    const option = new SchemaOption(flags, helpText(field, spec, repeated), field.name);
    const perElement = repeated || flags.includes("...");
    if (field.kind !== "boolean") option.argParser(flagParser(longFlag(flags), field, fieldSchema(schema, field.name), perElement));
    if (field.required && !spec.allOptional && spec.defaults?.[field.name] === undefined) option.makeOptionMandatory();
    command.addOption(option);
  }
  return (options) => {
    const values: Record<string, unknown> = {};
    for (const { name } of fields) {
      const value = options[name] ?? spec.defaults?.[name];
      if (value !== undefined) values[name] = value;
    }
    return values as Omit<z.input<S>, Omitted>;
  };
}

/** The schema of one field of an object schema. */
function fieldSchema(schema: z.ZodType, name: string): z.ZodType {
  if (!(schema instanceof z.ZodObject)) throw new TypeError("command-line options are generated from an object schema");
  return (schema.shape as Record<string, z.ZodType>)[name]!;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const longFlag = (flags: string) => /--[\w-]+/.exec(flags)![0];

function valueName(field: OptionField): string {
  switch (field.kind) {
    case "boolean":
      return "";
    case "integer":
      return " <n>";
    case "number":
      return " <x>";
    case "enum":
      return " <name>";
    case "string-list":
      return " <names>";
    case "string":
      return " <value>";
  }
}

/** "description (one of ...; default ...)" in both languages; English where the schema gives no Korean. A repeated
 *  flag says so. */
function helpText(field: OptionField, spec: SchemaOptionsSpec<string>, repeated: boolean): Bilingual {
  const extra = extraInfo(field, spec.defaults?.[field.name] ?? field.default, repeated);
  const en = `${spec.prefix?.en ?? ""}${field.description}${extra.en}`;
  if (field.descriptionKo === undefined && spec.prefix === undefined) return { en, ko: en };
  return { en, ko: `${spec.prefix?.ko ?? ""}${field.descriptionKo ?? field.description}${extra.ko}` };
}

/** The choices (unless the description already names them all) and the default (unless it says nothing: false, empty). */
function extraInfo(field: OptionField, shownDefault: unknown, repeated: boolean): Bilingual {
  const en: string[] = repeated ? ["repeatable"] : [];
  const ko: string[] = repeated ? ["여러 번 지정 가능"] : [];
  if (field.choices && !field.choices.every((c) => field.description.includes(c))) {
    en.push(`one of: ${field.choices.join(", ")}`);
    ko.push(`${field.choices.join(", ")} 중 하나`);
  }
  const text = Array.isArray(shownDefault) ? shownDefault.join(",") : shownDefault === false || typeof shownDefault === "object" ? "" : String(shownDefault ?? "");
  if (text !== "") {
    en.push(`default ${text}`);
    ko.push(`기본값 ${text}`);
  }
  return en.length === 0 ? { en: "", ko: "" } : { en: ` (${en.join("; ")})`, ko: ` (${ko.join("; ")})` };
}
