import { describe, expect, it } from "vitest";
import { TemplateVariableError } from "../errors.js";
import { BUILTIN_TEMPLATE_NAMES, builtinTemplate } from "./builtin-templates.js";
import { renderTemplate, templateVariables } from "./template.js";

describe("renderTemplate", () => {
  it("fills {{name}} and {{ name }}, leaves other braces alone", () => {
    const out = renderTemplate("Q: {{question}} / C: {{ context }} / {json} {{question}}", { question: "왜?", context: "because" }, { template: "t", row: "r" });
    expect(out).toBe("Q: 왜? / C: because / {json} 왜?");
  });

  it("a missing variable is a TemplateVariableError naming the variable, template and row", () => {
    expect(() => renderTemplate("{{question}} {{context}}", { question: "q" }, { template: "qa:en", row: "q7" })).toThrow(TemplateVariableError);
    try {
      renderTemplate("{{question}} {{context}}", { question: "q" }, { template: "qa:en", row: "q7" });
    } catch (error) {
      expect((error as TemplateVariableError).message).toContain("{{context}}");
      expect((error as TemplateVariableError).message).toContain("q7");
      expect((error as TemplateVariableError).ko).toContain("q7");
    }
  });

  it("lists variables in order, once each, Korean names included", () => {
    expect(templateVariables("{{b}} {{a}} {{b}} {{질문}}")).toEqual(["b", "a", "질문"]);
  });
});

describe("built-in templates", () => {
  it("exist in both languages, and each has the examples slot and its input variables", () => {
    const inputs: Record<string, string[]> = { qa: ["context", "question"], summarise: ["text"], classify: ["labels", "text"], extract: ["fields", "text"] };
    for (const name of BUILTIN_TEMPLATE_NAMES) {
      for (const lang of ["en", "ko"] as const) {
        const t = builtinTemplate(name, lang)!;
        expect(t.name).toBe(`${name}:${lang}`);
        expect(templateVariables(t.template).sort()).toEqual(["examples", ...inputs[name]!].sort());
        expect(templateVariables(t.example)).toEqual(["input", "output"]);
      }
    }
    expect(builtinTemplate("qa", "ko")!.template).toMatch(/질문/);
    expect(builtinTemplate("qa:en", "ko")!.template).toMatch(/Question/);
    expect(builtinTemplate("summarize", "en")!.name).toBe("summarise:en");
    expect(builtinTemplate("poem", "en")).toBeUndefined();
    expect(() => builtinTemplate("qa:fr", "en")).toThrow(/ko or en/);
  });
});
