// Prompt templates: `{{name}}` placeholders filled from a prompt row's variables. A missing variable is an error
// naming the template, the row and the variables it has, never an empty string slipped into the prompt.
import { TemplateVariableError } from "../errors.js";

const PLACEHOLDER = /\{\{\s*([\p{L}\p{N}_-]+)\s*\}\}/gu;

/** The variable names a template uses, in order of first appearance. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/** Fills every `{{name}}`; `where` names the template and the row for the error message. */
export function renderTemplate(
  template: string,
  vars: Readonly<Record<string, string>>,
  where: { template: string; row: string },
): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new TemplateVariableError(name, where.template, where.row, Object.keys(vars));
    return value;
  });
}
