// The ladder's rungs come from the method registry: every registered method appears, in ladder order.
import { describe, expect, it } from "vitest";
import { InvalidConfigError } from "../errors.js";
import { METHODS } from "../methods/registry.js";
import { allRungs, selectRungs } from "./rungs.js";

describe("rungs", () => {
  it("start with the three untrained rungs and give every registered method at least one training rung", () => {
    const rungs = allRungs();
    expect(rungs.slice(0, 3).map((r) => r.id)).toEqual(["prompt", "few-shot", "rag"]);
    for (const method of METHODS) expect(rungs.some((r) => r.kind === "train" && r.method === method.name)).toBe(true);
    expect(new Set(rungs.map((r) => r.id)).size).toBe(rungs.length);
  });

  it("puts LoRA at ranks 2 and 16 and DAPT last, each with options its method's schema accepts", () => {
    const rungs = allRungs();
    expect(rungs[rungs.length - 1]!.id).toBe("dapt");
    const lora = rungs.filter((r) => r.method === "lora");
    expect(lora.map((r) => r.id)).toEqual(["lora-r2", "lora-r16"]);
    for (const rung of rungs.filter((r) => r.kind === "train")) {
      const method = METHODS.find((m) => m.name === rung.method)!;
      expect(() => method.schema.parse(rung.methodOptions)).not.toThrow();
      expect(rung.lr).toBeGreaterThan(0);
    }
  });

  it("selects by rung id or method name, in ladder order", () => {
    expect(selectRungs(["dapt", "prompt", "lora"]).map((r) => r.id)).toEqual(["prompt", "lora-r2", "lora-r16", "dapt"]);
    expect(selectRungs(undefined)).toEqual(allRungs());
  });

  it("rejects an unknown rung and lists the valid ones", () => {
    expect(() => selectRungs(["lora-r99"])).toThrow(InvalidConfigError);
    expect(() => selectRungs(["lora-r99"])).toThrow(/lora-r2/);
  });
});
