// A headless Chromium that comes from npm (@sparticuz/chromium), driven by playwright-core, so the browser tests need
// Node only: no system Chromium, no CHROME_PATH, no download at test time.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser } from "playwright-core";

// The package's exports hide its package.json; read it beside the resolved entry (build/index.js).
const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(entry), "..", "package.json"), "utf8")) as { version: string }).version;

// The package's flags are for serverless sandboxes; these would weaken what the tests check (same-origin and
// cross-site behaviour of the UI server), so they are left out.
const UNSAFE_FLAGS = new Set(["--disable-web-security", "--allow-running-insecure-content", "--disable-site-isolation-trials"]);
// Without the background-networking flags Chromium keeps dialling out, which a closed network refuses noisily.
const QUIET_FLAGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"];
// From a POSIX locale (LANG=C, en_US@posix) Chromium derives navigator.language "en-US@posix", which Intl rejects:
// every page that formats numbers would throw. A real browser always has a valid tag.
const LANG_FLAG = "--lang=en-US";

/** @sparticuz/chromium ships one Linux x64 build; elsewhere the browser tests are skipped, saying so. */
export const browserAvailable = process.platform === "linux" && process.arch === "x64";

/** Warns once per test file that its browser tests are skipped on this platform. */
export function warnIfNoBrowser(file: string): void {
  if (!browserAvailable) console.warn(`skipped ${file}: @sparticuz/chromium has a Linux x64 build only (this is ${process.platform} ${process.arch})`);
}

/**
 * The Chromium binary, decompressed once per package version into the temp folder. The package itself inflates into
 * os.tmpdir()/chromium, shared by every version and written in place (two test workers starting together would run a
 * half-written file, and an older version's binary would be reused); so each version gets its own folder, filled in
 * a private folder first and renamed into place.
 */
export async function chromiumExecutable(): Promise<string> {
  const root = path.join(os.tmpdir(), `localtune-chromium-${version}`);
  const binary = path.join(root, "chromium");
  if (fs.existsSync(binary)) return binary;
  const partial = fs.mkdtempSync(`${root}.partial-`);
  const saved = process.env.TMPDIR;
  // executablePath() reads os.tmpdir() synchronously before its first await: point it at the private folder.
  process.env.TMPDIR = partial;
  let pending: Promise<string>;
  try {
    pending = sparticuz.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  let extracted: string;
  try {
    extracted = await pending;
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  if (path.dirname(extracted) !== partial) throw new Error(`@sparticuz/chromium extracted to ${extracted}, expected a file in ${partial}`);
  try {
    fs.renameSync(partial, root);
  } catch (error) {
    // Another worker finished first: use its copy.
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(binary)) throw error;
  }
  return binary;
}

/** Launches headless Chromium from npm. */
export async function launchBrowser(): Promise<Browser> {
  const args = [...sparticuz.args.filter((a) => !UNSAFE_FLAGS.has(a) && !a.startsWith("--headless")), ...QUIET_FLAGS, LANG_FLAG];
  return chromium.launch({ executablePath: await chromiumExecutable(), args, headless: true });
}
