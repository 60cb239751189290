// `localtune generate`: text from a prompt with a base model and optional adapters (GGUF LoRA on node-llama-cpp;
// the adapters llama.cpp cannot run, such as prompt tuning, on the engine), streamed to stdout.
import fs from "node:fs";
import type { Command } from "commander";
import { FileNotFoundError, InvalidConfigError } from "../../errors.js";
import { msg } from "../../i18n/index.js";
import { engineAdapterList } from "../../methods/registry.js";
import { generateText } from "../../prompt/index.js";
import { addModelOptions, addSamplingOptions, hostOptionsFrom, parseAdapter } from "../generation-options.js";

export function registerGenerate(program: Command): void {
  const command = program
    .command("generate")
    .description(
      "generate text from a prompt (streamed); --temperature 0 is greedy and reproducible\n" +
        "프롬프트로 텍스트를 생성합니다(실시간 출력). --temperature 0이면 항상 같은 결과",
    )
    .option("-p, --prompt <text>", "the prompt / 프롬프트")
    .option("-f, --file <path>", "read the prompt from a UTF-8 file / 프롬프트를 파일에서 읽기")
    .option("--chat", "send the prompt as a user turn in the model's chat template / 대화 템플릿으로 감싸기")
    .option("--system <text>", "system prompt (with --chat) / 시스템 프롬프트")
    .option("--json", "print one JSON object (text, token counts, speed, seed) instead of streaming");
  addModelOptions(
    command,
    `GGUF LoRA adapter, optionally @scale (repeatable: applied together); or one ${engineAdapterList().en} adapter (runs on localtune's engine) / LoRA 어댑터, 또는 ${engineAdapterList().ko} 어댑터 하나(localtune 엔진에서 실행)`,
  );
  const sampling = addSamplingOptions(command);
  command.action(async (options) => {
    if ((options.prompt === undefined) === (options.file === undefined)) {
      throw new InvalidConfigError({ en: "give exactly one of --prompt or --file.", ko: "--prompt와 --file 중 하나만 주세요." });
    }
    if (options.file !== undefined && !fs.existsSync(options.file)) throw new FileNotFoundError(options.file, "prompt file");
    const prompt: string = options.prompt ?? fs.readFileSync(options.file, "utf8");
    const controller = new AbortController();
    process.once("SIGINT", () => controller.abort());
    const result = await generateText({
      ...hostOptionsFrom(options),
      model: options.model,
      adapters: (options.adapter as string[]).map(parseAdapter),
      prompt,
      chat: options.chat === true,
      ...(options.system !== undefined ? { system: options.system } : {}),
      sampling: sampling(options),
      signal: controller.signal,
      ...(options.json ? {} : { onText: (chunk: string) => process.stdout.write(chunk) }),
    });
    if (options.json) {
      console.log(JSON.stringify({ prompt, ...result }, null, 2));
      return;
    }
    process.stdout.write("\n");
    if (result.chatTemplate && !result.chatTemplate.fromModel) {
      console.error(msg({ en: "note: the model has no chat template; a plain layout was used.", ko: "참고: 모델에 대화 템플릿이 없어 단순 형식을 썼습니다." }));
    }
    console.error(
      msg(
        {
          en: "[{model}] {n} tokens ({reason}), {tps} tokens/s, first token {first} ms, seed {seed}",
          ko: "[{model}] 토큰 {n}개 ({reason}), 초당 {tps} 토큰, 첫 토큰 {first} ms, 시드 {seed}",
        },
        { model: result.model, n: result.completionTokens, reason: result.stopReason, tps: result.tokensPerSecond.toFixed(1), first: result.firstTokenMs.toFixed(0), seed: result.seed },
      ),
    );
  });
}
