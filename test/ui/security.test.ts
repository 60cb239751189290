// The local UI server's guard, from outside: wrong Host (DNS rebinding), foreign Origin and cross-site fetches,
// non-JSON and oversized bodies, a token on any non-loopback bind, and outputs kept inside the workspace.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidConfigError } from "../../src/errors.js";
import { startUiServer, type UiServer } from "../../src/server/ui-server.js";

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: http.request lets the test set Host and Origin as an attacker's page or a rebinding DNS would. */
function request(port: number, options: { path?: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; host?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: options.host ?? "127.0.0.1", port, path: options.path ?? "/api/runs", method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("localtune ui on loopback", () => {
  let server: UiServer;
  let workspace = "";
  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-sec-"));
    server = await startUiServer({ port: 0, workspace, bodyLimit: 4096 });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it("answers its own names and refuses any other Host (DNS rebinding)", async () => {
    expect((await request(server.port, {})).status).toBe(200);
    expect((await request(server.port, { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
    const rebound = await request(server.port, { headers: { host: `attacker.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).en).toMatch(/DNS rebinding/);
    expect((await request(server.port, { headers: { host: `127.0.0.1:${server.port + 1}` } })).status).toBe(403);
    expect((await request(server.port, { path: "/", headers: { host: "attacker.example" } })).status).toBe(403);
  });

  it("refuses a foreign Origin and cross-site fetches, accepts its own origin", async () => {
    const own = `http://127.0.0.1:${server.port}`;
    expect((await request(server.port, { headers: { origin: own } })).status).toBe(200);
    const foreign = await request(server.port, { headers: { origin: "http://attacker.example" } });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).ko).toMatch(/교차 사이트/);
    expect((await request(server.port, { headers: { origin: `http://localhost:${server.port}` } })).status).toBe(403);
    expect((await request(server.port, { headers: { "sec-fetch-site": "cross-site" } })).status).toBe(403);
    expect((await request(server.port, { headers: { "sec-fetch-site": "same-origin" } })).status).toBe(200);
    // A cross-site form post: foreign Origin and a form body.
    const form = await request(server.port, { method: "POST", path: "/api/train/stop", headers: { origin: "http://attacker.example", "content-type": "application/x-www-form-urlencoded" }, body: "run=x" });
    expect(form.status).toBe(403);
  });

  it("takes only JSON bodies, and none over the limit", async () => {
    const text = await request(server.port, { method: "POST", path: "/api/train/stop", headers: { "content-type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    const big = await request(server.port, { method: "POST", path: "/api/data/prepare", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "x", options: { pad: "a".repeat(5000) } }) });
    expect(big.status).toBe(413);
    // Without a Content-Length (chunked), the limit holds while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: server.port, path: "/api/data/prepare", method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 10; i++) req.write("x".repeat(1000));
      req.end();
    });
    expect(chunked).toBe(413);
  });

  it("writes only inside <workspace>/datasets and runs, under a plain name", async () => {
    const post = (p: string, body: unknown) => request(server.port, { method: "POST", path: p, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for (const name of ["../escape", "/tmp/x", "a/b", ".hidden", ""]) {
      const reply = await post("/api/data/prepare", { name, options: { inputs: [workspace] } });
      expect(reply.status, name).toBe(400);
      expect(JSON.parse(reply.body).name, name).toBe("InvalidConfigError");
    }
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-outside-"));
    try {
      const reply = await post("/api/train/resume", { run: outside });
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body).en).toMatch(/not a run of this workspace/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
    expect(fs.readdirSync(workspace)).toEqual([]);
  });

  it("serves only the app's own files", async () => {
    for (const p of ["/../package.json", "/%2e%2e/package.json", "/..%2fpackage.json", "/vendor/../../src/index.ts", "/app.js.map"]) {
      expect((await request(server.port, { path: p })).status, p).toBe(404);
    }
    const index = await request(server.port, { path: "/" });
    expect(index.status).toBe(200);
    expect(index.headers["content-security-policy"]).toMatch(/default-src 'self'/);
    expect(index.headers["x-frame-options"]).toBe("DENY");
    expect((await request(server.port, { path: "/vendor/uplot.mjs" })).status).toBe(200);
  });
});

describe("localtune ui beyond loopback", () => {
  it("refuses to start without a token", async () => {
    await expect(startUiServer({ host: "0.0.0.0", port: 0 })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(startUiServer({ host: "0.0.0.0", port: 0 })).rejects.toThrow(/--token/);
  });

  it("requires the token on every request, by header, link or cookie", async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-ui-token-"));
    const server = await startUiServer({ host: "0.0.0.0", port: 0, token: "s3cret-token", workspace });
    try {
      const host = `127.0.0.1:${server.port}`;
      const missing = await request(server.port, { headers: { host } });
      expect(missing.status).toBe(401);
      expect((await request(server.port, { headers: { host, authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await request(server.port, { headers: { host, authorization: "Bearer s3cret-token" } })).status).toBe(200);
      expect(server.url).toContain("?token=s3cret-token");
      const link = await request(server.port, { path: "/?token=s3cret-token", headers: { host } });
      expect(link.status).toBe(302);
      const cookie = String(link.headers["set-cookie"]).split(";")[0]!;
      expect(String(link.headers["set-cookie"])).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await request(server.port, { headers: { host, cookie } })).status).toBe(200);
      // The token does not excuse a rebinding Host.
      expect((await request(server.port, { headers: { host: `attacker.example:${server.port}`, authorization: "Bearer s3cret-token" } })).status).toBe(403);
    } finally {
      await server.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
