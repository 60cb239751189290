// `localtune serve`: an OpenAI-compatible HTTP API for the base model and its adapters, on this machine by default.
// The token may come from a file or LOCALTUNE_API_TOKEN, so it need not appear in `ps`.
import fs from "node:fs";
import type { Command } from "commander";
import { FileNotFoundError, InvalidConfigError } from "../../errors.js";
import { msg } from "../../i18n/index.js";
import { engineAdapterList } from "../../methods/registry.js";
import { ModelHost } from "../../prompt/index.js";
import { SERVER_LIMITS, startServer } from "../../server/index.js";
import { addModelOptions, addServeSamplingOptions, hostOptionsFrom, parseAdapter } from "../generation-options.js";
import { positiveInt } from "../options.js";

export function registerServe(program: Command): void {
  const command = program
    .command("serve")
    .description(
      "serve /v1/chat/completions, /v1/completions (SSE streaming) and /v1/models, like OpenAI's API; each adapter is a model id\n" +
        "OpenAI 호환 API를 엽니다 (/v1/chat/completions, /v1/completions, /v1/models). 어댑터마다 모델 id가 하나씩",
    )
    .option("--host <address>", "interface to listen on; 0.0.0.0 opens it to the network (use --token) / 접속 주소", "127.0.0.1")
    .option("--port <n>", "port / 포트", positiveInt("--port"), 8080)
    .option("--token <secret>", "require Authorization: Bearer <secret>; visible in `ps`, prefer --token-file or LOCALTUNE_API_TOKEN / 인증 토큰 (ps에 보이므로 --token-file이나 LOCALTUNE_API_TOKEN 권장)")
    .option("--token-file <path>", "read the token from this file (its first line) / 토큰을 이 파일의 첫 줄에서 읽음")
    .option("--body-limit <bytes>", "largest request body (413 above) / 요청 본문 최대 바이트", positiveInt("--body-limit"), SERVER_LIMITS.bodyLimit)
    .option("--max-tokens-limit <n>", "the most tokens one request may generate; larger max_tokens are capped / 요청 하나가 생성할 최대 토큰", positiveInt("--max-tokens-limit"), SERVER_LIMITS.maxTokens)
    .option("--request-timeout <seconds>", "a request still running after this is stopped with a 504 and frees its slot / 이 시간을 넘긴 요청은 504로 중단", positiveInt("--request-timeout"), SERVER_LIMITS.requestTimeoutMs / 1000)
    .option("--parallel <n>", "requests generated at once per model; more wait in a queue", positiveInt("--parallel"), 1)
    .option("--max-queue <n>", "waiting requests before 429", positiveInt("--max-queue"), 64);
  const requestDefaults = addServeSamplingOptions(command);
  addModelOptions(command, `adapter to serve as its own model id (its file name), repeatable: GGUF/PEFT LoRA (optionally @scale), or ${engineAdapterList().en} (on localtune's engine) / 모델 id로 제공할 어댑터`);
  command.action(async (options) => {
    const token = tokenFrom(options.token, options.tokenFile);
    const host = await ModelHost.open(options.model, hostOptionsFrom(options, options.parallel));
    const server = await startServer({
      host,
      adapters: (options.adapter as string[]).map(parseAdapter),
      hostname: options.host,
      port: options.port,
      ...(token ? { token } : {}),
      bodyLimit: options.bodyLimit,
      maxQueue: options.maxQueue,
      defaultMaxTokens: requestDefaults(options).maxTokens,
      maxTokensLimit: options.maxTokensLimit,
      requestTimeoutMs: options.requestTimeout * 1000,
    });
    console.error(msg({ en: "serving {models} at {url}/v1 (Ctrl+C stops)", ko: "{url}/v1 에서 {models} 제공 중 (Ctrl+C로 종료)" }, { models: server.models.join(", "), url: server.url }));
    if (!["127.0.0.1", "::1", "localhost"].includes(options.host) && !token) {
      console.error(msg({ en: "warning: listening beyond this machine without --token: anyone on the network can use it.", ko: "경고: --token 없이 외부에 열려 있습니다. 네트워크의 누구나 쓸 수 있습니다." }));
    }
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.close();
    await host.dispose();
  });
}

/** The token from --token, else --token-file, else LOCALTUNE_API_TOKEN; a named but empty source is an error. */
function tokenFrom(flag: string | undefined, file: string | undefined): string | undefined {
  if (flag !== undefined && file !== undefined) {
    throw new InvalidConfigError({ en: "give --token or --token-file, not both.", ko: "--token과 --token-file 중 하나만 지정하세요." });
  }
  let token = flag;
  if (file !== undefined) {
    if (!fs.existsSync(file)) throw new FileNotFoundError(file, "token file");
    token = fs.readFileSync(file, "utf8").split(/\r?\n/)[0]!.trim();
    if (token === "") {
      throw new InvalidConfigError({ en: `the token file ${file} is empty: write the token on its first line.`, ko: `토큰 파일 ${file}이(가) 비어 있습니다. 첫 줄에 토큰을 쓰세요.` });
    }
  }
  token ??= process.env.LOCALTUNE_API_TOKEN;
  if (token === undefined || token === "") return undefined;
  return token;
}
