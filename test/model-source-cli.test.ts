// `localtune generate` and `localtune train lora` with an hf: model served by a local Hub stand-in (HF_ENDPOINT):
// the first run downloads with a bar on stderr, the second finds the cache and the server sees no second download;
// --offline with an empty cache fails with a message that names what is missing.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localtune } from "./helpers/cli.js";
import { startModelServer, type ModelServer } from "./helpers/model-server.js";
import { STORIES_260K } from "./helpers/test-models.js";

const MODEL = "hf:tiny/stories260K-GGUF/stories260K.gguf";
let server: ModelServer;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-model-source-cli-"));
  server = await startModelServer({ repos: { "tiny/stories260K-GGUF": { "stories260K.gguf": STORIES_260K } } });
  env = { HF_ENDPOINT: server.url, LOCALTUNE_CACHE_DIR: path.join(root, "cache") };
});

afterAll(async () => {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("hf: models on the command line", () => {
  it("--offline with an empty cache fails and says what is missing", async () => {
    const { code, stderr } = await localtune(["generate", "--offline", "--model", MODEL, "-p", "Once", "-n", "4"], "", env);
    expect(code).toBe(1);
    expect(stderr).toContain(MODEL);
    expect(stderr).toContain(path.join(root, "cache", "models"));
    expect(stderr).toMatch(/not in the model cache/);
    expect(server.fileDownloads().length).toBe(0);
  });

  // One cache through the steps below (they run in order): first download, second run, training, offline.
  const cached = () => path.join(root, "cache", "models", "hf_tiny_stories260K.gguf");
  let local: string;
  let downloads: number;

  it("generate downloads once, with a progress bar on stderr, into the cache", async () => {
    const first = await localtune(["generate", "--model", MODEL, "-p", "Once upon a time", "-n", "8", "--temperature", "0"], "", env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`downloading ${MODEL}`);
    expect(first.stderr).toMatch(/download \[#+\] [\d.]+\/[\d.]+ MiB/);
    downloads = server.fileDownloads().length;
    expect(downloads).toBeGreaterThan(0);
    // node-llama-cpp's own cache name for the URI.
    expect(fs.readdirSync(path.join(root, "cache", "models"))).toEqual(["hf_tiny_stories260K.gguf"]);
    expect(fs.readFileSync(cached()).equals(fs.readFileSync(STORIES_260K))).toBe(true);
  }, 300_000);

  it("a second generate uses the cache (no download) and gives the local file's greedy text", async () => {
    local = (await localtune(["generate", "--model", STORIES_260K, "-p", "Once upon a time", "-n", "8", "--temperature", "0"])).stdout;
    const second = await localtune(["generate", "--model", MODEL, "-p", "Once upon a time", "-n", "8", "--temperature", "0"], "", env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(local);
    expect(second.stderr).not.toContain("downloading");
    expect(server.fileDownloads().length).toBe(downloads);
  }, 300_000);

  it("train lora takes the hf: name, hands the child the cached file and downloads nothing", async () => {
    const data = path.join(root, "train.txt");
    fs.writeFileSync(data, "Once upon a time there was a little girl named Lily. She liked to play in the park with her dog.\n".repeat(20));
    const out = path.join(root, "run");
    const train = await localtune(["train", "lora", "--model", MODEL, "--data", data, "--out", out, "--steps", "2", "--ctx", "32", "--batch", "1", "--json"], "", env);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")).model).toBe(cached());
    expect(fs.existsSync(path.join(out, "adapter"))).toBe(true);
    expect(server.fileDownloads().length).toBe(downloads);
  }, 300_000);

  it("--offline runs from the cache once the model is there", async () => {
    const offline = await localtune(["generate", "--offline", "--model", MODEL, "-p", "Once upon a time", "-n", "8", "--temperature", "0"], "", env);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(local);
  }, 300_000);
});
