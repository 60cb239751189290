// Ollama's Modelfile for an exported GGUF: FROM the file beside it, ADAPTER for a LoRA kept separate, and the prompt
// template with its stop parameters where the model has a chat layout (ollama-template.ts).
import type { OllamaTemplate } from "./ollama-template.js";

export interface ModelfileContent {
  /** Model file, relative to the Modelfile's folder ("./model.gguf"). */
  from: string;
  /** GGUF LoRA adapter applied on top, relative to the Modelfile's folder. */
  adapter?: string;
  template?: OllamaTemplate;
}

/** Quotes a PARAMETER value as the Modelfile parser reads it (a JSON-style string). */
function quoted(value: string): string {
  return JSON.stringify(value);
}

export function renderModelfile(content: ModelfileContent): string {
  const lines = ["# Written by localtune export ollama.", `FROM ${content.from}`];
  if (content.adapter !== undefined) lines.push(`ADAPTER ${content.adapter}`);
  if (content.template) {
    // """ delimits the template; no chat layout writes three quotes in a row.
    lines.push(`# Chat layout: ${content.template.family} (from the model's tokenizer.chat_template).`);
    lines.push(`TEMPLATE """${content.template.template}"""`);
    for (const stop of content.template.stops) lines.push(`PARAMETER stop ${quoted(stop)}`);
  } else {
    lines.push("# No TEMPLATE: the model has no chat layout localtune recognises; Ollama sends prompts as they are or derives one from tokenizer.chat_template.");
  }
  return lines.join("\n") + "\n";
}
