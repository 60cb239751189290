// The package works as a library without a TypeScript loader: `npm run build` emits JavaScript and declarations to
// dist/, package.json's exports point there, and a plain `node` child in a separate project imports "localtune" by
// name and reads a GGUF model's shape. node-llama-cpp's own GGUF reader is the reference for the numbers.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORIES_260K } from "./helpers/test-models.js";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// What the consumer prints: where "localtune" resolved to, and the doctor's reading of the model.
const CONSUMER = `
const entry = import.meta.resolve("localtune");
const { readGgufModelShape } = await import("localtune");
const shape = await readGgufModelShape(process.argv[2]);
console.log(JSON.stringify({ entry, shape, hasTsLoader: process.execArgv.join(" ") }));
`;

describe("library use from JavaScript (npm run build, dist/)", () => {
  let project: string;

  beforeAll(async () => {
    // One build per test run: tsc over the whole of src/ takes a minute or two on a small machine.
    await run(npm, ["run", "build"], { cwd: ROOT, timeout: 540_000, shell: process.platform === "win32" });
    project = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-consumer-"));
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    fs.writeFileSync(path.join(project, "main.js"), CONSUMER);
    // The package by path, as `npm install <folder>` would link it; its own node_modules resolve its dependencies.
    fs.mkdirSync(path.join(project, "node_modules"));
    fs.symlinkSync(ROOT, path.join(project, "node_modules", "localtune"), "junction");
  }, 600_000);

  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it("emits JavaScript, declarations and assets where package.json points", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: Record<string, { types: string; import: string }> };
    const main = pkg.exports["."]!;
    expect(fs.existsSync(path.join(ROOT, main.import))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, main.types))).toBe(true);
    expect(fs.readFileSync(path.join(ROOT, main.types), "utf8")).toContain('export * from "./doctor/index.js"');
    expect(fs.readFileSync(path.join(ROOT, "dist", "doctor", "gguf-shape.d.ts"), "utf8")).toContain("readGgufModelShape(file: string): Promise<ModelShape>");
    // Files the compiled modules read beside themselves.
    expect(fs.existsSync(path.join(ROOT, "dist", "rag", "thesaurus", "ko-law.tsv"))).toBe(true);
  });

  it("a plain node process imports the package by name and reads a model's shape", async () => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no loader may come in through the environment either
    const { stdout } = await run(process.execPath, ["main.js", STORIES_260K], { cwd: project, env, timeout: 120_000 });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      entry: string;
      shape: Record<string, unknown>;
      hasTsLoader: string;
    };
    expect(out.hasTsLoader).toBe("");
    expect(fileURLToPath(out.entry)).toBe(path.join(ROOT, "dist", "index.js"));

    const info = await readGgufFileInfo(STORIES_260K, { readTensorInfo: true });
    const meta = info.metadata as unknown as { llama: Record<string, number> & { attention: Record<string, number> } };
    const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
    const elements = tensors.reduce((sum, t) => sum + t.dimensions.reduce<number>((n, d) => n * Number(d), 1), 0);
    const embd = tensors.find((t) => t.name === "token_embd.weight")!;
    expect(out.shape).toMatchObject({
      arch: info.metadata.general.architecture,
      nLayer: meta.llama.block_count,
      nEmbd: meta.llama.embedding_length,
      nFf: meta.llama.feed_forward_length,
      nHead: meta.llama.attention.head_count,
      nHeadKv: meta.llama.attention.head_count_kv,
      nVocab: Number(embd.dimensions[1]),
      nCtxTrain: meta.llama.context_length,
      tiedEmbeddings: !tensors.some((t) => t.name === "output.weight"),
      totalParams: elements,
    });
  }, 180_000);
});
