// Form fields from a zod options schema (type, default, bounds, help text), so a UI form is generated from the same
// schema that validates the options: the schema stays the one place for defaults and help.
import { z } from "zod";

/** One option as a form field. */
export interface OptionField {
  /** Key in the options object. */
  name: string;
  kind: "number" | "integer" | "boolean" | "string" | "enum" | "string-list";
  /** The schema's help text (its .describe()). */
  description: string;
  /** The help text in Korean, where the schema gives one (`.meta({ ko })`). */
  descriptionKo?: string;
  /** The schema's default; absent when the option is optional without one (the method then derives it). */
  default?: unknown;
  required: boolean;
  minimum?: number;
  maximum?: number;
  /** Choices of an enum field. */
  choices?: string[];
}

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  description?: string;
  ko?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: { type?: string };
}

/** The fields of an object schema, in declaration order; `omit` leaves out fields a caller fills itself. */
export function optionFields(schema: z.ZodType, omit: readonly string[] = []): OptionField[] {
  // io "input": fields with defaults stay optional, and their defaults are reported.
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {})
    .filter(([name]) => !omit.includes(name))
    .map(([name, p]) => {
      const field: OptionField = { name, kind: fieldKind(p), description: p.description ?? "", required: required.has(name) };
      if (p.ko !== undefined) field.descriptionKo = p.ko;
      if (p.default !== undefined) field.default = p.default;
      const minimum = p.minimum ?? p.exclusiveMinimum;
      const maximum = p.maximum ?? p.exclusiveMaximum;
      // zod reports JavaScript's safe-integer range for every .int(): no bound the user chose, so none is shown.
      if (minimum !== undefined && minimum > Number.MIN_SAFE_INTEGER) field.minimum = minimum;
      if (maximum !== undefined && maximum < Number.MAX_SAFE_INTEGER) field.maximum = maximum;
      if (p.enum) field.choices = p.enum.map(String);
      return field;
    });
}

function fieldKind(p: JsonSchemaProperty): OptionField["kind"] {
  if (p.enum) return "enum";
  if (p.type === "integer" || p.type === "number" || p.type === "boolean" || p.type === "string") return p.type;
  if (p.type === "array" && p.items?.type === "string") return "string-list";
  return "string";
}
