// optionFields against hand-read schemas: every method's schema turns into fields, with its defaults and help.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TrainConfigSchema } from "../train/config.js";
import { optionFields } from "./option-fields.js";
import { METHODS } from "./registry.js";

describe("optionFields", () => {
  it("reads kinds, defaults, bounds, choices and help from a schema", () => {
    const schema = z.object({
      rank: z.number().int().min(1).max(64).optional().describe("rank"),
      lr: z.number().positive().default(0.001).describe("learning rate"),
      schedule: z.enum(["constant", "cosine"]).default("cosine").describe("schedule"),
      targets: z.array(z.string()).optional().describe("targets"),
      model: z.string().describe("model"),
      on: z.boolean().default(false).describe("switch"),
    });
    expect(optionFields(schema, ["model"])).toEqual([
      { name: "rank", kind: "integer", description: "rank", required: false, minimum: 1, maximum: 64 },
      { name: "lr", kind: "number", description: "learning rate", required: false, default: 0.001, minimum: 0 },
      { name: "schedule", kind: "enum", description: "schedule", required: false, default: "cosine", choices: ["constant", "cosine"] },
      { name: "targets", kind: "string-list", description: "targets", required: false },
      { name: "on", kind: "boolean", description: "switch", required: false, default: false },
    ]);
  });

  it("describes every method's options and the training config with help on every field", () => {
    for (const method of METHODS) {
      const fields = optionFields(method.schema);
      for (const f of fields) expect(f.description, `${method.name}.${f.name}`).not.toBe("");
    }
    const lora = optionFields(METHODS.find((m) => m.name === "lora")!.schema);
    expect(lora.find((f) => f.name === "rslora")).toMatchObject({ kind: "boolean", default: false });
    const train = optionFields(TrainConfigSchema, ["method", "methodOptions"]);
    expect(train.find((f) => f.name === "lr")).toMatchObject({ kind: "number", default: 1e-3 });
    expect(train.find((f) => f.name === "data")).toMatchObject({ kind: "string-list", required: true });
  });
});
