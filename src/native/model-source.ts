// Where a model comes from: a local path, an `hf:user/repo[:quant]` / `hf:user/repo/file.gguf` URI or an http(s)
// URL, turned into one local GGUF file. Downloads go through node-llama-cpp's own resolver (resolveModelFile:
// Hugging Face manifests, HF_ENDPOINT, HF_TOKEN, split files, ipull's resumable `.ipull` partial files) into
// localtune's cache, so every command and the training child only ever see local files.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { FileNotFoundError, ModelDownloadError, ModelNotCachedError } from "../errors.js";

/** Bytes of one download so far; totalBytes is 0 until the server has said how big the file is. */
export interface ModelDownloadProgress {
  spec: string;
  downloadedBytes: number;
  totalBytes: number;
}

export interface ModelSourceOptions {
  /** Use only the cache: a model that is not there is an error that names what is missing. Default: the process's setting (--offline, LOCALTUNE_OFFLINE=1). */
  offline?: boolean;
  /** Called while a file downloads. Default: the process's setting (the CLI draws a bar on stderr); none in the library. */
  onProgress?: (progress: ModelDownloadProgress) => void;
  /** Folder downloads are cached in. Default: modelCacheDir(). */
  cacheDir?: string;
  /** Cancels a download; the partial file stays so the next run resumes it. */
  signal?: AbortSignal;
}

/** Process-wide defaults, set once by the CLI (like the device choice): the library functions then need no extra option. */
const processDefaults: Pick<ModelSourceOptions, "offline" | "onProgress"> = {};

/** Sets the process's defaults for every later resolveModelPath call (the CLI's --offline and its progress bar). */
export function setModelSourceDefaults(defaults: Pick<ModelSourceOptions, "offline" | "onProgress">): void {
  if (defaults.offline !== undefined) processDefaults.offline = defaults.offline;
  if (defaults.onProgress !== undefined) processDefaults.onProgress = defaults.onProgress;
}

/** Downloaded models: $LOCALTUNE_CACHE_DIR/models, else the platform's per-user cache folder + localtune/models. */
export function modelCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return path.join(localtuneCacheRoot(env, platform), "models");
}

/** The same root folder the calibration cache uses (doctor/calibration.ts), so one variable moves every cache. */
function localtuneCacheRoot(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (env.LOCALTUNE_CACHE_DIR) return env.LOCALTUNE_CACHE_DIR;
  if (platform === "win32") return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), "AppData", "Local"), "localtune", "cache");
  if (platform === "darwin") return path.join(os.homedir(), "Library", "Caches", "localtune");
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "localtune");
}

// The URI forms node-llama-cpp's parseModelUri accepts, plus plain URLs.
const HF_PREFIXES = ["hf:", "huggingface:", "hf.co/", "huggingface.co/"] as const;

/** True for a name that must be downloaded (hf: URI or http(s) URL), false for a local path. */
export function isRemoteModelSpec(spec: string): boolean {
  return isHfUri(spec) || isHttpUrl(spec);
}

function isHfUri(spec: string): boolean {
  return HF_PREFIXES.some((prefix) => spec.startsWith(prefix));
}

function isHttpUrl(spec: string): boolean {
  return /^https?:\/\//i.test(spec);
}

/** Whether a URL points at the Hugging Face endpoint in use: node-llama-cpp turns those into hf: URIs and names the files itself. */
function isHuggingFaceUrl(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const host = new URL(url).hostname;
  const endpoint = [env.MODEL_ENDPOINT, env.HF_ENDPOINT].find((e) => e !== undefined && isHttpUrl(e));
  if (endpoint !== undefined && new URL(endpoint).hostname === host) return true;
  return host === "huggingface.co" || host === "hf.co";
}

/**
 * The cache file name of a plain URL: the URL's last path part behind a hash of the whole URL. Naming it ourselves
 * lets node-llama-cpp find a finished download without asking the server (it would otherwise send a request to learn
 * the name), so a cached URL works offline and a second run sends nothing.
 */
export function urlCacheFileName(url: string): string {
  const parsed = new URL(url);
  const last = decodeURIComponent(parsed.pathname.split("/").filter((p) => p !== "").pop() ?? "model");
  const base = last.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "") || "model";
  const hash = crypto.createHash("sha256").update(url).digest("hex").slice(0, 12);
  return `url_${hash}_${base.toLowerCase().endsWith(".gguf") ? base : `${base}.gguf`}`;
}

/** A local path made absolute; a missing file is a FileNotFoundError. Synchronous, for callers that must not await. */
export function resolveLocalModelPath(spec: string): string {
  const file = path.resolve(spec);
  if (!fs.existsSync(file)) throw new FileNotFoundError(spec, "model");
  return file;
}

/**
 * The local file for a model name: a path as it is (made absolute), an hf: URI or URL from the cache or downloaded
 * into it (resumed where a previous run stopped). Offline, a model missing from the cache is a ModelNotCachedError.
 */
export async function resolveModelPath(spec: string, options: ModelSourceOptions = {}): Promise<string> {
  if (!isRemoteModelSpec(spec)) return resolveLocalModelPath(spec);
  const offline = options.offline ?? processDefaults.offline ?? process.env.LOCALTUNE_OFFLINE === "1";
  const onProgress = options.onProgress ?? processDefaults.onProgress;
  const directory = options.cacheDir ?? modelCacheDir();
  const ownName = isHttpUrl(spec) && !isHuggingFaceUrl(spec) ? urlCacheFileName(spec) : undefined;
  let file: string;
  try {
    file = await resolveModelFile(spec, {
      directory,
      download: offline ? false : "auto",
      ...(ownName !== undefined ? { fileName: ownName } : {}),
      // node-llama-cpp's own bar writes to stdout, where generate streams its text and --json its object.
      cli: false,
      // Keep the partial file on Ctrl-C: the next run resumes it instead of starting over.
      deleteTempFileOnCancel: false,
      ...(onProgress ? { onProgress: (s: { totalSize: number; downloadedSize: number }) => onProgress({ spec, downloadedBytes: s.downloadedSize, totalBytes: s.totalSize }) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (offline) throw new ModelNotCachedError(spec, directory, (error as Error).message);
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ModelDownloadError(spec, directory, (error as Error).message, { cause: error });
  }
  // node-llama-cpp 3.21.1 returns the final path even when the download was cancelled mid-way (ipull's download()
  // ends quietly on close): only the partial .ipull file exists then.
  if (options.signal?.aborted) throw options.signal.reason;
  if (!fs.existsSync(file)) throw new ModelDownloadError(spec, directory, `the download ended without ${file}`);
  return file;
}
