// The Ollama prompt template (Go text/template over .Messages) and stop strings for a GGUF's chat template: one per
// chat layout family, recognised by the special tokens its Jinja template writes. A model without a chat template
// gets none (Ollama then sends the prompt as it is, right for a base model); an unrecognised layout gets none and
// Ollama matches tokenizer.chat_template against its own list of templates.
export interface OllamaTemplate {
  /** Layout family, for the user's information (chatml, llama3, gemma, phi3, exaone). */
  family: string;
  template: string;
  stops: string[];
}

// Each: the marker its Jinja template contains, a role header, the end of a turn, the assistant's role name.
interface Layout {
  family: string;
  marker: RegExp;
  /** The text that opens a turn of `role` (role already renamed). */
  open: (role: string) => string;
  close: string;
  assistant: string;
  /** The Go template that writes a message's role (gemma calls the assistant "model" and has no system role). */
  role: (go: string) => string;
  stops: string[];
}

const LAYOUTS: readonly Layout[] = [
  {
    family: "chatml",
    marker: /<\|im_start\|>/,
    open: (role) => `<|im_start|>${role}\n`,
    close: "<|im_end|>\n",
    assistant: "assistant",
    role: (go) => `{{ ${go} }}`,
    stops: ["<|im_start|>", "<|im_end|>"],
  },
  {
    family: "llama3",
    marker: /<\|start_header_id\|>/,
    open: (role) => `<|start_header_id|>${role}<|end_header_id|>\n\n`,
    close: "<|eot_id|>",
    assistant: "assistant",
    role: (go) => `{{ ${go} }}`,
    stops: ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
  },
  {
    family: "gemma",
    marker: /<start_of_turn>/,
    open: (role) => `<start_of_turn>${role}\n`,
    close: "<end_of_turn>\n",
    assistant: "model",
    // Gemma's template has no system role: a system message goes in as a user turn.
    role: (go) => `{{ if eq ${go} "assistant" }}model{{ else }}user{{ end }}`,
    stops: ["<start_of_turn>", "<end_of_turn>"],
  },
  {
    family: "phi3",
    marker: /<\|user\|>[\s\S]*<\|end\|>|<\|end\|>[\s\S]*<\|user\|>/,
    open: (role) => `<|${role}|>\n`,
    close: "<|end|>\n",
    assistant: "assistant",
    role: (go) => `{{ ${go} }}`,
    stops: ["<|end|>", "<|user|>", "<|assistant|>", "<|system|>", "<|endoftext|>"],
  },
  {
    family: "exaone",
    marker: /\[\|endofturn\|\]/,
    open: (role) => `[|${role}|]`,
    close: "[|endofturn|]\n",
    assistant: "assistant",
    role: (go) => `{{ ${go} }}`,
    stops: ["[|endofturn|]", "[|user|]", "[|system|]"],
  },
];

/** The Ollama template for a Jinja chat template, or undefined where none fits (see the file comment). */
export function ollamaTemplateFor(chatTemplate: string | undefined): OllamaTemplate | undefined {
  if (chatTemplate === undefined || chatTemplate.trim() === "") return undefined;
  const layout = LAYOUTS.find((l) => l.marker.test(chatTemplate));
  if (!layout) return undefined;
  const role = layout.role(".Role");
  // Every message in order; after the last one, unless the assistant wrote it, open the assistant's turn. One line
  // with no trim markers: every newline in it is one the model's layout writes.
  const template =
    "{{- range $i, $_ := .Messages }}{{ $last := eq (len (slice $.Messages $i)) 1 }}" +
    `${layout.open(role)}{{ .Content }}${layout.close}` +
    `{{ if and $last (ne .Role "assistant") }}${layout.open(layout.assistant)}{{ end }}{{ end }}`;
  return { family: layout.family, template, stops: layout.stops };
}
