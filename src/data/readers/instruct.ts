// Recognises the common instruction-data shapes in one record and turns it into chat messages (or plain text):
// OpenAI `messages`, ShareGPT `conversations`, Alpaca `instruction/input/output`, `question/answer`,
// `prompt/completion`, and `text` for raw documents.
import type { ChatMessage } from "../schema.js";

export type RecordShape = "openai" | "sharegpt" | "alpaca" | "question-answer" | "prompt-completion" | "text";

export type Interpreted =
  | { shape: RecordShape; messages: ChatMessage[]; used: string[] }
  | { shape: "text"; text: string; used: string[] }
  | { error: string };

/** Field names accepted for each role, case-insensitive (CSV headers vary; Korean headers included). */
export const FIELD_ALIASES = {
  system: ["system", "system_prompt", "시스템"],
  question: ["question", "q", "query", "질문"],
  answer: ["answer", "a", "response", "답변", "대답"],
  prompt: ["prompt", "instruction", "input_text"],
  completion: ["completion", "output", "target", "chosen"],
};

const ROLE_MAP: Record<string, ChatMessage["role"]> = {
  system: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  gpt: "assistant",
  model: "assistant",
  bot: "assistant",
  chatgpt: "assistant",
};

/** Explicit column names (CSV options); when given they win over the aliases. */
export interface FieldMapping {
  prompt?: string;
  response?: string;
  system?: string;
}

export function interpretRecord(record: unknown, mapping: FieldMapping = {}): Interpreted {
  if (!record || typeof record !== "object" || Array.isArray(record)) return { error: "expected a JSON object" };
  const obj = record as Record<string, unknown>;
  const lower = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
  const field = (names: string[]): string | undefined => names.map((n) => lower.get(n.toLowerCase())).find((k) => k !== undefined);
  const systemKey = mapping.system ?? field(FIELD_ALIASES.system);
  const system = systemKey !== undefined ? asText(obj[systemKey]) : undefined;
  const withSystem = (messages: ChatMessage[]) => (system ? [{ role: "system" as const, content: system }, ...messages] : messages);
  const usedWithSystem = (keys: string[]) => (system && systemKey ? [...keys, systemKey] : keys);

  if (mapping.prompt || mapping.response) {
    if (!mapping.prompt || !mapping.response) return { error: "both a prompt column and a response column must be named" };
    return pair("question-answer", mapping.prompt, mapping.response);
  }
  if (Array.isArray(obj.messages)) return conversation("openai", "messages", obj.messages, "role", "content");
  if (Array.isArray(obj.conversations)) return conversation("sharegpt", "conversations", obj.conversations, "from", "value");
  const instruction = field(["instruction"]);
  const output = field(["output"]);
  if (instruction && output) {
    const inputKey = field(["input"]);
    const input = inputKey ? asText(obj[inputKey]) : "";
    const prompt = input ? `${asText(obj[instruction])}\n\n${input}` : asText(obj[instruction]);
    const used = usedWithSystem(inputKey ? [instruction, inputKey, output] : [instruction, output]);
    return checked("alpaca", withSystem([{ role: "user", content: prompt }, { role: "assistant", content: asText(obj[output]) }]), used);
  }
  const q = field(FIELD_ALIASES.question);
  const a = field(FIELD_ALIASES.answer);
  if (q && a) return pair("question-answer", q, a);
  const p = field(FIELD_ALIASES.prompt);
  const c = field(FIELD_ALIASES.completion);
  if (p && c) return pair("prompt-completion", p, c);
  const t = field(["text", "content", "body", "본문"]);
  if (t && typeof obj[t] === "string") {
    const text = asText(obj[t]);
    return text ? { shape: "text", text, used: [t] } : { error: `field "${t}" is empty` };
  }
  return {
    error: `no known shape among fields [${Object.keys(obj).join(", ")}]; expected messages, conversations, instruction/output, question/answer, prompt/completion or text`,
  };

  function pair(shape: RecordShape, promptKey: string, responseKey: string): Interpreted {
    if (!(promptKey in obj)) return { error: `missing field "${promptKey}"` };
    if (!(responseKey in obj)) return { error: `missing field "${responseKey}"` };
    const messages = withSystem([
      { role: "user", content: asText(obj[promptKey]) },
      { role: "assistant", content: asText(obj[responseKey]) },
    ]);
    return checked(shape, messages, usedWithSystem([promptKey, responseKey]));
  }

  function conversation(shape: RecordShape, key: string, turns: unknown[], roleKey: string, contentKey: string): Interpreted {
    const messages: ChatMessage[] = [];
    for (const [i, turn] of turns.entries()) {
      if (!turn || typeof turn !== "object") return { error: `${key}[${i}] is not an object` };
      const t = turn as Record<string, unknown>;
      const rawRole = String(t[roleKey] ?? t.role ?? t.from ?? "").toLowerCase();
      const role = ROLE_MAP[rawRole];
      if (!role) return { error: `${key}[${i}] has role "${rawRole}"; expected system, user/human or assistant/gpt` };
      messages.push({ role, content: asText(t[contentKey] ?? t.content ?? t.value) });
    }
    return checked(shape, system && messages[0]?.role !== "system" ? withSystem(messages) : messages, usedWithSystem([key]));
  }
}

function checked(shape: RecordShape, messages: ChatMessage[], used: string[]): Interpreted {
  if (!messages.some((m) => m.role === "assistant" && m.content)) return { error: "no non-empty assistant (answer) turn" };
  if (!messages.some((m) => m.role === "user" && m.content)) return { error: "no non-empty user (question) turn" };
  return { shape, messages, used };
}

/** Strings as they are; OpenAI content-part arrays joined; numbers printed; anything else empty. */
function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    return value.map((part) => (typeof part === "string" ? part : part && typeof part === "object" && "text" in part ? String(part.text) : "")).join("");
  }
  return "";
}
