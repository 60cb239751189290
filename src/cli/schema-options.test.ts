// Commander options generated from zod schemas: the flag, its help and default come from the schema, the schema parses
// the value, and a rejected value says what was expected in both languages. Parse only: actions do nothing.
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { setLang } from "../i18n/index.js";
import { LadderOptionsSchema } from "../ladder/index.js";
import { optionFields } from "../methods/option-fields.js";
import { METHODS } from "../methods/registry.js";
import { RagAskOptionsSchema } from "../rag/answer.js";
import { RagIndexOptionsSchema } from "../rag/config.js";
import { TrainConfigSchema } from "../train/index.js";
import { PrepareOptionsSchema } from "../data/index.js";
import { SamplingSchema } from "../prompt/index.js";
import { registerData } from "./commands/data.js";
import { registerTrain } from "./commands/train.js";
import { InvalidFlagValueError } from "./flag-value.js";
import { localizeHelp } from "./help-language.js";
import { addSchemaOptions } from "./schema-options.js";

const Schema = z.object({
  gradAccum: z.number().int().positive().default(4).describe("micro-batches per step").meta({ ko: "스텝당 마이크로배치 수" }),
  lr: z.number().positive().optional().describe("peak learning rate"),
  schedule: z.enum(["constant", "cosine"]).default("cosine").describe("schedule after warmup"),
  sites: z.array(z.enum(["k", "v", "ff"])).min(1).optional().describe("where vectors go"),
  valData: z.array(z.string()).default([]).describe("validation files"),
  model: z.string().describe("base model"),
  out: z.string().describe("folder to write"),
  fast: z.boolean().default(false).describe("go faster"),
});

function command(spec: Parameters<typeof addSchemaOptions>[2] = {}) {
  const cmd = new Command("test").exitOverride().configureOutput({ writeErr: () => {} }).action(() => {});
  const read = addSchemaOptions(cmd, Schema, { flags: { valData: "--val <paths...>" }, defaults: { out: "here" }, ...spec });
  return { cmd, read, parse: (args: string[]) => read(cmd.parse(args, { from: "user" }).opts()) };
}

afterEach(() => setLang("en"));

describe("addSchemaOptions", () => {
  it("turns each field into a flag with the schema's help and its default shown once", () => {
    const { cmd } = command();
    const help = cmd.helpInformation();
    expect(help).toMatch(/--grad-accum <n>\s+micro-batches per step \(default 4\)/);
    expect(help).toMatch(/--lr <x>\s+peak learning rate\n/);
    expect(help).toMatch(/--schedule <name>\s+schedule after warmup \(one of: constant, cosine; default\s+cosine\)/);
    expect(help).toMatch(/--sites <names>\s+where vectors go/);
    expect(help).toMatch(/--val <paths...>\s+validation files\n/);
    expect(help).toMatch(/--out <value>\s+folder to write \(default here\)/);
    expect(help).toMatch(/--fast\s+go faster\n/);
    expect(help.match(/default 4/g)).toHaveLength(1);
  });

  it("shows the help in the chosen language, from the schema's Korean where it has one", () => {
    const { cmd } = command();
    localizeHelp(cmd);
    setLang("ko");
    const help = cmd.helpInformation();
    expect(help).toMatch(/--grad-accum <n>\s+스텝당 마이크로배치 수 \(기본값 4\)/);
    expect(help).not.toContain("micro-batches per step");
    setLang("en");
    expect(cmd.helpInformation()).not.toContain("스텝당");
  });

  it("reads the values back typed, under the schema's keys, with the command line's defaults", () => {
    const { parse } = command();
    expect(parse(["--model", "m.gguf", "--grad-accum", "8", "--lr", "2e-4", "--sites", "k, ff", "--val", "a.txt", "b.txt", "--fast"])).toEqual({
      model: "m.gguf",
      gradAccum: 8,
      lr: 2e-4,
      sites: ["k", "ff"],
      valData: ["a.txt", "b.txt"],
      fast: true,
      out: "here",
    });
    // Absent flags stay absent: the API applies the schema's own defaults.
    expect(parse(["--model", "m.gguf"])).toEqual({ model: "m.gguf", out: "here" });
  });

  it("makes a required field without a default a mandatory flag, unless every flag is optional", () => {
    expect(() => command().parse([])).toThrow(/required option '--model <value>'/);
    expect(command({ allOptional: true }).parse([])).toEqual({ out: "here" });
    expect(command({ omit: ["model"] }).cmd.options.map((o) => o.long)).not.toContain("--model");
  });

  it("rejects a value the schema rejects, saying what was expected, what was given and an example", () => {
    const { parse } = command();
    const error = (args: string[]) => {
      try {
        parse(["--model", "m", ...args]);
      } catch (e) {
        return e as InvalidFlagValueError;
      }
      throw new Error("no error");
    };
    const zero = error(["--grad-accum", "0"]);
    expect(zero).toBeInstanceOf(InvalidFlagValueError);
    expect(zero.message).toBe('--grad-accum expects an integer > 0, got "0". Example: --grad-accum 4');
    expect(zero.ko).toBe('--grad-accum에는 0보다 큰 정수이(가) 필요하지만 "0"이(가) 주어졌습니다. 예: --grad-accum 4');
    expect(error(["--grad-accum", "1.5"]).message).toMatch(/expects an integer, got "1.5"/);
    expect(error(["--lr", "fast"]).message).toBe('--lr expects a number, got "fast".');
    expect(error(["--lr", "-1"]).message).toMatch(/--lr expects a number > 0, got "-1"/);
  });

  it("repeat mode: each flag is one whole element of the list, commas and all; the help says it repeats", () => {
    const { cmd, parse } = command({ repeat: ["valData"], flags: { valData: "--val <path>" } });
    expect(parse(["--model", "m", "--val", "a, b.txt", "--val", "c.txt"])).toMatchObject({ valData: ["a, b.txt", "c.txt"] });
    expect(cmd.helpInformation()).toMatch(/--val <path>\s+validation files \(repeatable\)/);
    // Without repeat a list flag is one comma-separated value, the last one given.
    expect(command().parse(["--model", "m", "--sites", "k", "--sites", "v,ff"])).toMatchObject({ sites: ["v", "ff"] });
    // Only a list can repeat.
    expect(() => command({ repeat: ["lr"] })).toThrow(/--lr: only a list field/);
  });

  it("lists the choices for an unknown enum value, also for an element of a list", () => {
    const { parse } = command();
    expect(() => parse(["--model", "m", "--schedule", "linear"])).toThrow('--schedule expects one of constant | cosine, got "linear". Example: --schedule cosine');
    expect(() => parse(["--model", "m", "--sites", "k,q"])).toThrow(/--sites expects a comma-separated list of k \| v \| ff, got "k,q"/);
  });
});

describe("the commands' generated flags", () => {
  it("train <method> takes the training config's flags and the method's own, under their old names", () => {
    const program = new Command("localtune");
    registerTrain(program);
    const lora = program.commands.find((c) => c.name() === "train")!.commands.find((c) => c.name() === "lora")!;
    const flags = lora.options.map((o) => o.long);
    for (const flag of ["--model", "--data", "--val", "--out", "--steps", "--lr", "--ctx", "--grad-accum", "--keep-checkpoints", "--export-type", "--rank", "--low-rank", "--alpha", "--targets", "--rslora", "--json"]) {
      expect(flags).toContain(flag);
    }
    // Filled in by the method from --init-text, never typed in.
    const prompt = program.commands.find((c) => c.name() === "train")!.commands.find((c) => c.name() === "prompt-tuning")!;
    expect(prompt.options.map((o) => o.long)).not.toContain("--init-tokens");
  });

  it("data prepare takes the prepare options' flags under their old names; --include repeats, a comma inside a glob kept", () => {
    const program = new Command("localtune").exitOverride().configureOutput({ writeErr: () => {} });
    registerData(program);
    const prepare = program.commands.find((c) => c.name() === "data")!.commands.find((c) => c.name() === "prepare")!;
    let seen: Record<string, unknown> = {};
    prepare.exitOverride().action((_inputs: string[], o: Record<string, unknown>) => void (seen = o));
    program.parse(["data", "prepare", "docs", "--out", "ds", "--include", "*.{md,txt}", "--include", "notes/*", "--overlap", "32", "--val", "0.1", "--prompt-column", "Q"], { from: "user" });
    expect(seen).toMatchObject({ out: "ds", include: ["*.{md,txt}", "notes/*"], overlapTokens: 32, valRatio: 0.1, csvPromptColumn: "Q" });
    expect(() => program.parse(["data", "prepare", "docs", "--out", "ds", "--val", "0.9"], { from: "user" })).toThrow(InvalidFlagValueError);
  });

  it("no description repeats a default the help already shows from the schema", () => {
    const schemas = [PrepareOptionsSchema, SamplingSchema, TrainConfigSchema, LadderOptionsSchema, RagIndexOptionsSchema, RagAskOptionsSchema, ...METHODS.map((m) => m.schema)];
    for (const schema of schemas) {
      for (const field of optionFields(schema)) {
        const shown = field.default !== undefined && field.default !== false && !(Array.isArray(field.default) && field.default.length === 0) && typeof field.default !== "object";
        if (shown) expect(field.description, field.name).not.toMatch(/\bdefault\b/i);
      }
    }
  });
});
