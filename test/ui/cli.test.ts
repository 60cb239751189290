// `localtune ui` from the command line: it prints the address it serves, the page loads, Ctrl+C ends it cleanly;
// a bind beyond loopback without a token is refused with the bilingual message and exit code 1.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { localtune } from "../helpers/cli.js";

/** A port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

describe("localtune ui (CLI)", () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-cli-"));
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it("serves the app at the printed address and stops on Ctrl+C", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["bin/localtune.js", "--lang", "en", "ui", "--port", String(port), "--workspace", workspace], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /localtune ui at (\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="importmap">/);
    expect(((await (await fetch(new URL("/api/workspace", url))).json()) as { root: string }).root).toBe(workspace);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("refuses a network bind without a token", async () => {
    const result = await localtune(["ui", "--host", "0.0.0.0", "--port", String(await freePort())], "", { LOCALTUNE_UI_TOKEN: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: --host 0\.0\.0\.0 opens the UI beyond this machine.*--token/);
    // The helper runs in English; Korean comes from the environment's language setting instead.
    const ko = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["bin/localtune.js", "ui", "--host", "0.0.0.0"], { env: { ...process.env, LOCALTUNE_LANG: "ko", LOCALTUNE_UI_TOKEN: "" } });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", () => resolve(stderr));
    });
    expect(ko).toMatch(/오류: --host 0\.0\.0\.0는 UI를 이 컴퓨터 밖으로 엽니다/);
  });
});
