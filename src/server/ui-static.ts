// The local UI's files, all from the package (no CDN, works offline): web/ and the browser builds of Preact, htm and
// uPlot from node_modules, with the import map that lets web/ name them as bare modules.
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "web");

/** A package's folder, found from its resolved entry (its package.json may not be exported). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package folder of ${name} not found`);
    dir = up;
  }
  return dir;
}

/** URL path under /vendor/ -> file in node_modules. */
export function vendorFiles(): Map<string, string> {
  const preact = packageDir("preact");
  const htm = packageDir("htm");
  const uplot = packageDir("uplot");
  return new Map([
    ["/vendor/preact.mjs", path.join(preact, "dist", "preact.mjs")],
    ["/vendor/preact-hooks.mjs", path.join(preact, "hooks", "dist", "hooks.mjs")],
    ["/vendor/htm.mjs", path.join(htm, "dist", "htm.mjs")],
    ["/vendor/htm-preact.mjs", path.join(htm, "preact", "index.mjs")],
    ["/vendor/uplot.mjs", path.join(uplot, "dist", "uPlot.esm.js")],
    ["/vendor/uplot.css", path.join(uplot, "dist", "uPlot.min.css")],
  ]);
}

export const IMPORT_MAP = JSON.stringify({
  imports: {
    preact: "/vendor/preact.mjs",
    "preact/hooks": "/vendor/preact-hooks.mjs",
    htm: "/vendor/htm.mjs",
    "htm/preact": "/vendor/htm-preact.mjs",
    uplot: "/vendor/uplot.mjs",
  },
});

/** index.html with the import map inlined, and the Content-Security-Policy that allows exactly that inline script. */
export function indexPage(): { html: string; csp: string } {
  const template = fs.readFileSync(path.join(WEB_ROOT, "index.html"), "utf8");
  const html = template.replace("<!--IMPORT_MAP-->", `<script type="importmap">${IMPORT_MAP}</script>`);
  const hash = crypto.createHash("sha256").update(IMPORT_MAP).digest("base64");
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
  return { html, csp };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
};

/** The file behind a URL path, or undefined: web/ files by exact relative path, never outside web/. */
export function staticFile(urlPath: string, vendor: Map<string, string>): { file: string; type: string } | undefined {
  const fromVendor = vendor.get(urlPath);
  const file = fromVendor ?? path.join(WEB_ROOT, path.normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, ""));
  if (!fromVendor && !file.startsWith(WEB_ROOT + path.sep)) return undefined;
  const type = TYPES[path.extname(file)];
  if (!type || !fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
  return { file, type };
}
