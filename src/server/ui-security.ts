// The local UI's guard: it can start jobs and read files, so every request must come from the bound name (no DNS
// rebinding), from the UI's own origin (no cross-site requests) and, off loopback, carry the token.
import crypto from "node:crypto";
import type http from "node:http";
import os from "node:os";
import { InvalidConfigError } from "../errors.js";

export const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export interface GuardOptions {
  /** Address the server listens on. */
  host: string;
  port: number;
  /** Required when set; the server refuses to start off loopback without one. */
  token?: string;
}

/** A refused request: the HTTP status and a bilingual reason. */
export interface Refusal {
  status: 401 | 403 | 415;
  en: string;
  ko: string;
}

export const TOKEN_COOKIE = "localtune_ui_token";

/** Refuses a non-loopback bind without a token (anyone on the network could start jobs and read files). */
export function checkBindSafety(options: GuardOptions): void {
  if (!LOOPBACK_HOSTS.has(options.host) && !options.token) {
    throw new InvalidConfigError({
      en: `--host ${options.host} opens the UI beyond this machine, and it can start jobs and read files: give --token <secret> (or bind to 127.0.0.1).`,
      ko: `--host ${options.host}는 UI를 이 컴퓨터 밖으로 엽니다. UI는 작업을 시작하고 파일을 읽을 수 있으므로 --token <비밀값>을 지정하세요 (또는 127.0.0.1에 바인딩).`,
    });
  }
}

/** Host header values the server answers to: the bound name, and on loopback its other loopback spellings. */
export function allowedHosts(options: GuardOptions): Set<string> {
  const names = new Set<string>([options.host]);
  if (LOOPBACK_HOSTS.has(options.host)) for (const n of LOOPBACK_HOSTS) names.add(n);
  // A wildcard bind answers on every interface: the machine's own addresses are its names (a DNS name is not).
  if (options.host === "0.0.0.0" || options.host === "::") {
    for (const n of LOOPBACK_HOSTS) names.add(n);
    for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.add(a.address);
  }
  return new Set([...names].map((n) => `${n.includes(":") ? `[${n}]` : n}:${options.port}`.toLowerCase()));
}

/** Same-length constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function sameSecret(a: string, b: string): boolean {
  const x = crypto.createHash("sha256").update(a).digest();
  const y = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(x, y);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** The token a request carries: Authorization: Bearer, the UI's cookie, or ?token= (the link --open prints). */
export function requestToken(req: http.IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7);
  return cookieValue(req.headers.cookie, TOKEN_COOKIE) ?? url.searchParams.get("token") ?? undefined;
}

/** Checks one request; returns why it is refused, or undefined when it may proceed. */
export function checkRequest(req: http.IncomingMessage, url: URL, options: GuardOptions, hosts: Set<string>): Refusal | undefined {
  const host = (req.headers.host ?? "").toLowerCase();
  if (!hosts.has(host)) {
    return {
      status: 403,
      en: `Host "${host}" is not this server's name (${[...hosts].join(", ")}): refused (DNS rebinding protection). Open the address localtune ui printed.`,
      ko: `Host "${host}"는 이 서버의 이름(${[...hosts].join(", ")})이 아니어서 거부했습니다 (DNS 리바인딩 방지). localtune ui가 출력한 주소로 여세요.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
    return {
      status: 403,
      en: `Origin "${origin}" is not this UI (http://${host}): cross-site requests are refused.`,
      ko: `Origin "${origin}"은(는) 이 UI(http://${host})가 아니어서 교차 사이트 요청을 거부했습니다.`,
    };
  }
  // Browsers send Sec-Fetch-Site on every request; a cross-site one is refused even without an Origin (a plain GET).
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") {
    return { status: 403, en: `a ${site} request is refused: use the UI itself.`, ko: `${site} 요청은 거부됩니다. UI에서 직접 사용하세요.` };
  }
  if (options.token) {
    const given = requestToken(req, url);
    if (given === undefined || !sameSecret(given, options.token)) {
      return {
        status: 401,
        en: "this UI needs its token: open the link localtune ui printed (it ends in ?token=...), or send Authorization: Bearer <token>.",
        ko: "이 UI에는 토큰이 필요합니다. localtune ui가 출력한 링크(?token=...으로 끝남)로 열거나 Authorization: Bearer <토큰>을 보내세요.",
      };
    }
  }
  // A body that changes state must be JSON: a cross-site HTML form cannot send that without a preflight we never grant.
  if (req.method !== "GET" && req.method !== "HEAD" && !(req.headers["content-type"] ?? "").startsWith("application/json")) {
    return { status: 415, en: "request bodies must be application/json.", ko: "요청 본문은 application/json이어야 합니다." };
  }
  return undefined;
}
