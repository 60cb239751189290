// Model names through node-llama-cpp's resolver against a local Hub stand-in: hf: URIs (by file and by quant tag),
// plain URLs, the cache (a second resolve sends nothing), --offline, and a download resumed after it was cut short.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileNotFoundError, ModelNotCachedError } from "../src/errors.js";
import { isRemoteModelSpec, modelCacheDir, resolveModelPath, type ModelDownloadProgress } from "../src/native/model-source.js";
import { startModelServer, type ModelServer } from "./helpers/model-server.js";
import { STORIES_260K } from "./helpers/test-models.js";

let server: ModelServer;
let root: string;
let bigFile: string;
const savedEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-model-source-"));
  // Bigger than ipull's 5 MiB chunk, so a cut download has a finished chunk to resume from.
  bigFile = path.join(root, "big.gguf");
  fs.writeFileSync(bigFile, crypto.randomBytes(12 * 2 ** 20));
  server = await startModelServer({
    repos: { "tiny/stories-GGUF": { "stories260K.gguf": STORIES_260K, "stories260K.Q8_0.gguf": STORIES_260K }, "tiny/big": { "big.gguf": bigFile } },
    manifests: { "tiny/stories-GGUF:Q8_0": "stories260K.Q8_0.gguf" },
    files: { "/dl/models/stories260K.gguf": STORIES_260K },
  });
  process.env.HF_ENDPOINT = server.url;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEndpoint;
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const sameBytes = (a: string, b: string) => fs.readFileSync(a).equals(fs.readFileSync(b));

describe("resolveModelPath", () => {
  it("tells names to download from local paths", () => {
    for (const spec of ["hf:u/r", "hf:u/r:Q4_K_M", "hf:u/r/f.gguf", "huggingface:u/r", "hf.co/u/r", "https://x.org/m.gguf", "HTTP://x.org/m.gguf"]) expect(isRemoteModelSpec(spec)).toBe(true);
    for (const spec of ["model.gguf", "./hf/x.gguf", "C:\\models\\x.gguf", "/tmp/hf:x.gguf"]) expect(isRemoteModelSpec(spec)).toBe(false);
  });

  it("keeps the cache under LOCALTUNE_CACHE_DIR, else the platform's user cache", () => {
    expect(modelCacheDir({ LOCALTUNE_CACHE_DIR: "/c" }, "linux")).toBe(path.join("/c", "models"));
    expect(modelCacheDir({ XDG_CACHE_HOME: "/x" }, "linux")).toBe(path.join("/x", "localtune", "models"));
    expect(modelCacheDir({ LOCALAPPDATA: "L:" }, "win32")).toBe(path.join("L:", "localtune", "cache", "models"));
  });

  it("returns a local path as an absolute path and refuses a missing one", async () => {
    expect(await resolveModelPath(path.relative(process.cwd(), STORIES_260K))).toBe(STORIES_260K);
    await expect(resolveModelPath(path.join(root, "nope.gguf"))).rejects.toThrow(FileNotFoundError);
  });

  it("downloads hf:user/repo/file.gguf once, with progress, and serves the second call from the cache", async () => {
    const cacheDir = path.join(root, "cache-file");
    const progress: ModelDownloadProgress[] = [];
    const before = server.fileDownloads().length;
    const file = await resolveModelPath("hf:tiny/stories-GGUF/stories260K.gguf", { cacheDir, onProgress: (p) => progress.push(p) });
    expect(path.dirname(file)).toBe(cacheDir);
    expect(sameBytes(file, STORIES_260K)).toBe(true);
    expect(server.fileDownloads().length).toBeGreaterThan(before);
    expect(progress.at(-1)).toMatchObject({ downloadedBytes: fs.statSync(STORIES_260K).size, totalBytes: fs.statSync(STORIES_260K).size });
    const requestsBefore = server.requests.length;
    expect(await resolveModelPath("hf:tiny/stories-GGUF/stories260K.gguf", { cacheDir })).toBe(file);
    expect(server.requests.length).toBe(requestsBefore);
  });

  it("resolves hf:user/repo:quant through the Hub's manifest, then finds it in the cache without asking again", async () => {
    const cacheDir = path.join(root, "cache-quant");
    const file = await resolveModelPath("hf:tiny/stories-GGUF:Q8_0", { cacheDir });
    expect(server.requests.some((r) => r.path === "/v2/tiny/stories-GGUF/manifests/Q8_0")).toBe(true);
    expect(server.requests.some((r) => r.path === "/tiny/stories-GGUF/resolve/main/stories260K.Q8_0.gguf")).toBe(true);
    expect(sameBytes(file, STORIES_260K)).toBe(true);
    const requestsBefore = server.requests.length;
    expect(await resolveModelPath("hf:tiny/stories-GGUF:Q8_0", { cacheDir, offline: true })).toBe(file);
    expect(server.requests.length).toBe(requestsBefore);
  });

  it("downloads a plain URL under a name of its own, then works offline from the cache", async () => {
    const cacheDir = path.join(root, "cache-url");
    const url = `${server.url.replace("127.0.0.1", "localhost")}dl/models/stories260K.gguf`;
    await expect(resolveModelPath(url, { cacheDir, offline: true })).rejects.toThrow(ModelNotCachedError);
    const file = await resolveModelPath(url, { cacheDir });
    expect(path.basename(file)).toMatch(/^url_[0-9a-f]{12}_stories260K\.gguf$/);
    expect(sameBytes(file, STORIES_260K)).toBe(true);
    const requestsBefore = server.requests.length;
    expect(await resolveModelPath(url, { cacheDir })).toBe(file);
    expect(await resolveModelPath(url, { cacheDir, offline: true })).toBe(file);
    expect(server.requests.length).toBe(requestsBefore);
  });

  it("offline with an empty cache names the model, the cache and what to do", async () => {
    const cacheDir = path.join(root, "cache-empty");
    const error = await resolveModelPath("hf:tiny/stories-GGUF:Q8_0", { cacheDir, offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotCachedError);
    expect((error as Error).message).toContain("hf:tiny/stories-GGUF:Q8_0");
    expect((error as Error).message).toContain(cacheDir);
    expect((error as Error).message).toMatch(/Run the command once online/);
  });

  it("resumes a cut download from its last finished chunk instead of starting over", async () => {
    const cacheDir = path.join(root, "cache-resume");
    const chunk = 5 * 2 ** 20; // ipull's chunk: progress is recorded per finished chunk
    server.stallRangesFrom = chunk;
    const controller = new AbortController();
    let firstChunkDone = false;
    const cut = resolveModelPath("hf:tiny/big/big.gguf", {
      cacheDir,
      signal: controller.signal,
      // Every later chunk stalls, so 5 MiB downloaded means the first chunk is whole; give ipull a moment to record it.
      onProgress: (p) => {
        if (p.downloadedBytes >= chunk && !firstChunkDone) {
          firstChunkDone = true;
          setTimeout(() => controller.abort(), 300);
        }
      },
    });
    await expect(cut).rejects.toThrow(/abort/i);
    server.stallRangesFrom = undefined;
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".ipull")).length).toBe(1);
    const before = server.fileDownloads().length;
    const file = await resolveModelPath("hf:tiny/big/big.gguf", { cacheDir });
    expect(sameBytes(file, bigFile)).toBe(true);
    const ranged = server.fileDownloads().slice(before).filter((r) => r.range !== undefined && r.range !== "bytes=0-0");
    // The second run fetches only what the first did not finish: no range starts at byte 0.
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((r) => Number(/^bytes=(\d+)-/.exec(r.range!)![1]) >= chunk)).toBe(true);
  });
});
