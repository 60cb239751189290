// `localtune ui`: serves the local web app (train, data, playground, machine) on this machine and optionally opens it.
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { msg } from "../../i18n/index.js";
import { startUiServer } from "../../server/ui-server.js";
import { positiveInt } from "../options.js";

export function registerUi(program: Command): void {
  program
    .command("ui")
    .description("open the local web UI: prepare data, train with live curves, chat with the result / 로컬 웹 UI: 데이터 준비, 실시간 곡선과 함께 학습, 결과와 대화")
    .option("--host <address>", "interface to listen on; anything but loopback needs --token / 접속 주소 (루프백이 아니면 --token 필요)", "127.0.0.1")
    .option("--port <n>", "port / 포트", positiveInt("--port"), 7860)
    .option("--token <secret>", "require this token (the printed link carries it); LOCALTUNE_UI_TOKEN also works / 이 토큰을 요구 (출력된 링크에 포함)")
    .option("--workspace <dir>", "folder for runs/ and datasets/ (default: the current folder) / runs/와 datasets/를 둘 폴더")
    .option("--open", "open the UI in the default browser / 기본 브라우저로 열기")
    .action(async (options: { host: string; port: number; token?: string; workspace?: string; open?: boolean }) => {
      const token = options.token ?? process.env.LOCALTUNE_UI_TOKEN;
      const server = await startUiServer({ host: options.host, port: options.port, ...(token ? { token } : {}), ...(options.workspace ? { workspace: options.workspace } : {}) });
      console.error(msg({ en: "localtune ui at {url} (Ctrl+C stops)", ko: "localtune ui: {url} (Ctrl+C로 종료)" }, { url: server.url }));
      if (options.open) openBrowser(server.url);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
}

/** The platform's "open this URL" command, detached so the browser outlives nothing of ours. */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === "win32" ? ["cmd", ["/c", "start", '""', url]] : process.platform === "darwin" ? ["open", [url]] : ["xdg-open", [url]];
  const child = spawn(command, args, { detached: true, stdio: "ignore" });
  child.on("error", () => console.error(msg({ en: "could not open a browser: open {url} yourself.", ko: "브라우저를 열지 못했습니다. {url}을(를) 직접 여세요." }, { url })));
  child.unref();
}
