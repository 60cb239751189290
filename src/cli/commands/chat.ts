// `localtune chat`: an interactive, streaming conversation in the model's chat template; adapters switch with /adapter.
import type { Command } from "commander";
import { z } from "zod";
import { msg } from "../../i18n/index.js";
import { engineAdapterList } from "../../methods/registry.js";
import { ModelHost, runChat } from "../../prompt/index.js";
import { buildRagPrompt, RagRetriever, RagSearchOptionsSchema } from "../../rag/index.js";
import { addModelOptions, addSamplingOptions, hostOptionsFrom, parseAdapter } from "../generation-options.js";
import { addSchemaOptions } from "../schema-options.js";

/** --k: the RAG search's own field, as the number of sources each question retrieves with --rag. */
const ChatRagSchema = z.object({
  k: RagSearchOptionsSchema.shape.k.describe("sources retrieved per question with --rag").meta({ ko: "--rag일 때 질문마다 가져올 자료 수" }),
});

export function registerChat(program: Command): void {
  const command = program
    .command("chat")
    .description(
      "chat with a model (streaming). Inside: /help, /exit, /reset, /system <text>, /adapter <path> [scale], /adapter off\n" +
        "모델과 대화합니다(실시간 출력). 대화 중 명령: /help, /exit, /reset, /system <내용>, /adapter <경로> [배율], /adapter off",
    )
    .option("-s, --system <text>", "system prompt / 시스템 프롬프트")
    .option("--rag <index>", "answer from a RAG index (localtune rag index): each question retrieves numbered sources to cite / RAG 인덱스의 자료로 답하기");
  const ragValues = addSchemaOptions(command, ChatRagSchema);
  addModelOptions(command, `adapter to start with: GGUF/PEFT LoRA, optionally @scale (repeatable), or one ${engineAdapterList().en} adapter (runs on localtune's engine) / 시작할 때 쓸 어댑터: LoRA, 또는 ${engineAdapterList().ko} 어댑터 하나(localtune 엔진)`);
  const sampling = addSamplingOptions(command, 512);
  command.action(async (options) => {
    const host = await ModelHost.open(options.model, hostOptionsFrom(options));
    const retriever = options.rag ? await RagRetriever.open({ index: options.rag }) : undefined;
    const { k } = ChatRagSchema.parse(ragValues(options));
    try {
      const summary = await runChat({
        host,
        input: process.stdin,
        output: process.stdout,
        info: process.stderr,
        ...(options.system !== undefined ? { system: options.system } : {}),
        adapters: (options.adapter as string[]).map(parseAdapter),
        sampling: sampling(options),
        ...(retriever
          ? {
              retrieve: async (question: string, budget: number, countTokens: (text: string) => number) => {
                const prompt = buildRagPrompt(question, await retriever.search(question, k), budget, countTokens);
                const footer = prompt.sources.map((s) => `[${s.number}] ${s.citation} (${s.source})`).join("\n");
                return { system: prompt.system, user: prompt.user, footer: footer || msg({ en: "(no source fit the context)", ko: "(컨텍스트에 맞는 자료가 없습니다)" }) };
              },
            }
          : {}),
      });
      console.error(msg({ en: "{turns} turns, {tokens} tokens generated.", ko: "대화 {turns}번, 생성한 토큰 {tokens}개." }, { turns: summary.turns, tokens: summary.generatedTokens }));
    } finally {
      await retriever?.close();
      await host.dispose();
    }
  });
}
