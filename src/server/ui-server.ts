// `localtune ui`'s HTTP server: the guard first, then the JSON API and event stream (ui-api.ts), then the static app
// (ui-static.ts). Binds to loopback unless told otherwise, and then only with a token.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { handleApi, type ApiContext } from "./ui-api.js";
import { GenerationWorker } from "./ui-generation.js";
import { TrainingJobs, UiEventHub } from "./ui-jobs.js";
import { LadderJobs } from "./ui-ladder.js";
import { checkBindSafety, checkRequest, allowedHosts, requestToken, TOKEN_COOKIE, type GuardOptions } from "./ui-security.js";
import { indexPage, staticFile, vendorFiles } from "./ui-static.js";
import { Workspace } from "./ui-workspace.js";

export interface UiServerOptions {
  /** Interface to listen on. Default 127.0.0.1; anything else needs a token. */
  host?: string;
  /** Port; 0 picks a free one. Default 7860. */
  port?: number;
  token?: string;
  /** Folder whose runs/ and datasets/ the UI creates and lists. Default: the current folder. */
  workspace?: string;
  /** Largest JSON request body in bytes. Default 1 MiB. */
  bodyLimit?: number;
}

export interface UiServer {
  /** The address to open (with ?token= when a token is set). */
  url: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const guard: GuardOptions = { host, port: options.port ?? 7860, ...(options.token ? { token: options.token } : {}) };
  checkBindSafety(guard);
  const workspace = new Workspace(options.workspace ?? process.cwd());
  const hub = new UiEventHub();
  const jobs = new TrainingJobs(workspace, hub);
  const ladders = new LadderJobs(workspace, (event) => hub.publish(event));
  const generation = new GenerationWorker();
  const ctx: ApiContext = { workspace, jobs, ladders, generation, hub, bodyLimit: options.bodyLimit ?? 1 << 20 };
  const vendor = vendorFiles();
  const page = indexPage();
  let hosts = allowedHosts(guard);

  const server = http.createServer((req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? "/", "http://ui.invalid");
    const refusal = checkRequest(req, url, guard, hosts);
    if (refusal) {
      res.writeHead(refusal.status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ name: "Refused", en: refusal.en, ko: refusal.ko }));
      return;
    }
    // The link with ?token= becomes a cookie the page's own requests carry (SameSite=Strict: never sent cross-site),
    // and the token leaves the address bar.
    if (guard.token && url.searchParams.has("token") && req.method === "GET") {
      res.writeHead(302, { "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(requestToken(req, url) ?? "")}; HttpOnly; SameSite=Strict; Path=/`, location: "/" });
      res.end();
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      void handleApi(ctx, req, res, url);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname === "/" || url.pathname === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": page.csp, "cache-control": "no-store" });
      res.end(page.html);
      return;
    }
    const found = staticFile(url.pathname, vendor);
    if (!found) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": found.type, "cache-control": "no-cache" });
    fs.createReadStream(found.file).pipe(res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(guard.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Port 0 picked a free port: the allowed Host values name that one.
  guard.port = port;
  hosts = allowedHosts(guard);
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const base = `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}/`;
  return {
    url: guard.token ? `${base}?token=${encodeURIComponent(guard.token)}` : base,
    port,
    async close() {
      await jobs.stopAll();
      ladders.stopAll();
      generation.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
