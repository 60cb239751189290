// Lays out a conversation in the model's chat template (node-llama-cpp's chat wrappers). A model without a
// template in its GGUF gets a plain "### Human / ### Assistant" layout, and the caller is told so.
import { GeneralChatWrapper, resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel, type LlamaText, type Token } from "node-llama-cpp";
import type { ChatMessage } from "../data/schema.js";

export interface ChatPrompt {
  /** The conversation up to the start of the assistant's next turn. */
  tokens: Token[];
  /** Text that ends the assistant's turn in this template. */
  stopTriggers: LlamaText[];
}

export interface ChatFormat {
  /** The chat wrapper's name, e.g. "ChatML", "Llama 3.1", "General". */
  readonly name: string;
  /** False when the model has no chat template and the plain fallback is used. */
  readonly fromModel: boolean;
  render(messages: readonly ChatMessage[]): ChatPrompt;
}

/** The chat layout for a model: its own template when the GGUF has one, else the plain fallback. */
export function chatFormatFor(model: LlamaModel): ChatFormat {
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  // resolveChatWrapper guesses a wrapper even without a template (from the model's name); a guess is not the
  // model's own format, so without a template we say "plain" rather than pretend.
  const wrapper: ChatWrapper = template ? (resolveChatWrapper(model) ?? new GeneralChatWrapper()) : new GeneralChatWrapper();
  return {
    name: wrapper.wrapperName,
    fromModel: Boolean(template),
    render: (messages) => {
      const state = wrapper.generateContextState({ chatHistory: [...toHistory(messages), { type: "model", response: [] }] });
      return { tokens: state.contextText.tokenize(model.tokenizer), stopTriggers: state.stopGenerationTriggers };
    },
  };
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem =>
    m.role === "system"
      ? { type: "system", text: m.content }
      : m.role === "user"
        ? { type: "user", text: m.content }
        : { type: "model", response: [m.content] },
  );
}
