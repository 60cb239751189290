// Renders a conversation with the model's own chat template (node-llama-cpp's chat wrappers, including the GGUF's
// Jinja template) and builds the loss mask: 1 on the tokens of assistant turns and the end-of-turn marker that
// closes them, 0 on everything else (system, user, template scaffolding, BOS).
import { resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel, type LlamaText, type ResolveChatWrapperWithModelOptions, type Token } from "node-llama-cpp";
import type { ChatMessage } from "./schema.js";

export type ChatTemplateName = NonNullable<ResolveChatWrapperWithModelOptions["type"]>;

export interface RenderedChat {
  /** Token ids of the whole rendered conversation. */
  tokens: Token[];
  /** mask[i] = 1 when token i is a training target (its prediction is in the loss). */
  mask: Uint8Array;
}

/** The chat wrapper node-llama-cpp picks for this model (its Jinja template or a matching built-in one). */
export function chatWrapperFor(model: LlamaModel, type: ChatTemplateName = "auto"): ChatWrapper {
  // resolveChatWrapper returns a wrapper for every llama.cpp model; null only when forcing a type that needs settings.
  const wrapper = resolveChatWrapper(model, { type, warningLogs: false });
  if (!wrapper) throw new Error(`node-llama-cpp could not build the "${type}" chat wrapper for this model`);
  return wrapper;
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem =>
    m.role === "system" ? { type: "system", text: m.content } : m.role === "user" ? { type: "user", text: m.content } : { type: "model", response: [m.content] },
  );
}

/**
 * Rendering prefixes of the history gives the span of each assistant turn: the tokens of "history up to turn k with
 * an empty reply" (the generation prompt) are a prefix of "history up to turn k with its reply", and the difference
 * is the reply. Returns a reason string when the template is not prefix-stable for this conversation (templates
 * that rewrite earlier turns), so the caller can skip it with that reason.
 */
export function renderChat(model: LlamaModel, wrapper: ChatWrapper, messages: ChatMessage[]): RenderedChat | string {
  const history = toHistory(messages);
  const tokenize = (text: LlamaText) => text.tokenize(model.tokenizer);
  const render = (items: ChatHistoryItem[]) => wrapper.generateContextState({ chatHistory: items });
  const fullState = render(history);
  const tokens = tokenize(fullState.contextText);
  const mask = new Array<number>(tokens.length).fill(0);
  const triggers = fullState.stopGenerationTriggers.map(tokenize).filter((t) => t.length > 0);
  let closer: Token[] | undefined;
  for (let k = 0; k < history.length; k++) {
    if (history[k]!.type !== "model") continue;
    const prompt = tokenize(render([...history.slice(0, k), { type: "model", response: [] }]).contextText);
    const withReply = tokenize(render(history.slice(0, k + 1)).contextText);
    if (!startsWith(withReply, prompt, 0) || !startsWith(tokens, withReply, 0)) {
      return `the chat template "${wrapper.wrapperName}" renders earlier turns differently once later turns follow (turn ${k + 1}); the loss mask cannot be placed`;
    }
    for (let i = prompt.length; i < withReply.length; i++) mask[i] = 1;
    // The end-of-turn marker the template writes after a reply is trained too, so the model learns to stop.
    const marker = triggers.find((t) => startsWith(tokens, t, withReply.length));
    if (marker) {
      closer ??= marker;
      for (let i = 0; i < marker.length; i++) mask[withReply.length + i] = 1;
    }
  }
  // The last reply is left open by the template (it is where generation would continue): close it.
  if (history[history.length - 1]?.type === "model") {
    const end = closer ?? preferredCloser(model, triggers);
    if (end) {
      tokens.push(...end);
      mask.push(...end.map(() => 1));
    }
  }
  return { tokens, mask: Uint8Array.from(mask) };
}

/** The template's own end-of-turn token when the vocabulary has it (<|im_end|>, <|eot_id|>), else EOS. */
function preferredCloser(model: LlamaModel, triggers: Token[][]): Token[] | undefined {
  const eos = model.tokens.eos;
  const single = triggers.filter((t) => t.length === 1 && model.isSpecialToken(t[0]));
  return single.find((t) => t[0] !== eos) ?? single[0] ?? (eos != null ? [eos] : undefined);
}

function startsWith(haystack: readonly Token[], needle: readonly Token[], at: number): boolean {
  if (at + needle.length > haystack.length) return false;
  for (let i = 0; i < needle.length; i++) if (haystack[at + i] !== needle[i]) return false;
  return true;
}
