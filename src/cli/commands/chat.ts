// `localtune chat`: an interactive, streaming conversation in the model's chat template; adapters switch with /adapter.
import type { Command } from "commander";
import { msg } from "../../i18n/index.js";
import { LlamaModelHost, runChat } from "../../prompt/index.js";
import { addModelOptions, addSamplingOptions, hostOptionsFrom, parseAdapter, samplingFrom } from "../generation-options.js";

export function registerChat(program: Command): void {
  const command = program
    .command("chat")
    .description(
      "chat with a model (streaming). Inside: /help, /exit, /reset, /system <text>, /adapter <path> [scale], /adapter off\n" +
        "모델과 대화합니다(실시간 출력). 대화 중 명령: /help, /exit, /reset, /system <내용>, /adapter <경로> [배율], /adapter off",
    )
    .option("-s, --system <text>", "system prompt / 시스템 프롬프트");
  addModelOptions(command, "GGUF LoRA adapter to start with, optionally @scale (repeatable) / 시작할 때 쓸 LoRA 어댑터");
  addSamplingOptions(command, 512);
  command.action(async (options) => {
    const host = await LlamaModelHost.open(options.model, hostOptionsFrom(options));
    try {
      const summary = await runChat({
        host,
        input: process.stdin,
        output: process.stdout,
        info: process.stderr,
        ...(options.system !== undefined ? { system: options.system } : {}),
        adapters: (options.adapter as string[]).map(parseAdapter),
        sampling: samplingFrom(options),
      });
      console.error(msg({ en: "{turns} turns, {tokens} tokens generated.", ko: "대화 {turns}번, 생성한 토큰 {tokens}개." }, { turns: summary.turns, tokens: summary.generatedTokens }));
    } finally {
      await host.dispose();
    }
  });
}
