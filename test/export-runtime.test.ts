// `localtune export ollama|lmstudio` end to end: a LoRA run trained here is merged and quantized; the GGUF loads in
// node-llama-cpp with the perplexity llama.cpp gives the base with the adapter attached at run time (the independent
// reference); the Modelfile and a fake `ollama` on PATH show the command is run as documented; LM Studio gets its
// folder layout; a chat model gets its template and stop tokens.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeExportError } from "../src/errors.js";
import { createLlamaEvalBackend } from "../src/eval/llama-scorer.js";
import { exportForRuntime } from "../src/export/index.js";
import { ollamaTemplateFor } from "../src/export/ollama-template.js";
import { renderModelfile } from "../src/export/modelfile.js";
import { readGguf } from "../src/formats/gguf/index.js";
import { selectDevice } from "../src/native/device-choice.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { RunFolder, resolveTrainConfig, startTraining } from "../src/train/index.js";
import { localtune } from "./helpers/cli.js";
import { STORIES_260K, testModelPath } from "./helpers/test-models.js";

const TEXT =
  "Once upon a time, there was a little girl named Lily. She loved to play with her toys and her friends. One day, she went to the park with her mom. " +
  "They saw a big tree with red apples. Lily wanted to climb the tree, but her mom said it was too high. Lily was sad, but then she saw a dog.";

let root: string;
let runDir: string;
let fakeBin: string;
let ollamaLog: string;

async function perplexityOf(file: string, loraPath?: string): Promise<number> {
  const model = await loadLlamaModel(file, { gpu: "cpu" });
  const backend = await createLlamaEvalBackend(model, { contextSize: 128, threads: 1, ...(loraPath ? { loraPath } : {}) });
  try {
    return (await backend.scorer.perplexity(TEXT)).perplexity;
  } finally {
    await backend.dispose();
    await model.dispose();
  }
}

beforeAll(async () => {
  selectDevice("cpu");
  root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-export-runtime-"));
  const data = path.join(root, "train.txt");
  fs.writeFileSync(data, "The dragon flew over the mountain and sang a song about the moon. The knight listened and smiled.\n".repeat(30));
  runDir = path.join(root, "run");
  // A high learning rate so five steps move the model visibly away from the base.
  await startTraining({ method: "lora", model: STORIES_260K, data: [data], out: runDir, steps: 5, lr: 0.05, ctx: 32, batch: 2, evalEvery: 0, device: "cpu" });
  // A stand-in for ollama: records its arguments, its folder and the Modelfile it was given.
  fakeBin = path.join(root, "bin");
  fs.mkdirSync(fakeBin);
  ollamaLog = path.join(root, "ollama.log");
  fs.writeFileSync(path.join(fakeBin, "ollama"), `#!/bin/sh\necho "args: $*" >> "${ollamaLog}"\necho "cwd: $(pwd)" >> "${ollamaLog}"\ncat "$4" >> "${ollamaLog}"\necho "success"\n`, { mode: 0o755 });
}, 300_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("export ollama from a LoRA run", () => {
  it("writes model.gguf + Modelfile, runs `ollama create`, and the GGUF scores like base + adapter in llama.cpp", async () => {
    const out = path.join(root, "ollama");
    const { code, stdout, stderr } = await localtune(["export", "ollama", runDir, "--out", out, "--quant", "q8_0", "--name", "my-story"], "", { PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` });
    expect(code, stderr).toBe(0);
    const modelfile = fs.readFileSync(path.join(out, "Modelfile"), "utf8");
    expect(modelfile).toMatch(/^FROM \.\/model\.gguf$/m);
    // stories260K has no chat template: no TEMPLATE, Ollama sends prompts as they are.
    expect(modelfile).not.toMatch(/^TEMPLATE/m);
    const log = fs.readFileSync(ollamaLog, "utf8");
    expect(log).toContain(`args: create my-story -f ${path.join(out, "Modelfile")}`);
    expect(log).toContain(`cwd: ${out}`);
    expect(log).toContain("FROM ./model.gguf");
    expect(stdout).toContain("ran: ollama create my-story -f");
    expect(stdout).toContain("ollama run my-story");

    const adapter = path.join(runDir, "adapter", "adapter.gguf");
    const [base, withAdapter, exported] = [await perplexityOf(STORIES_260K), await perplexityOf(STORIES_260K, adapter), await perplexityOf(path.join(out, "model.gguf"))];
    console.log(`perplexity: base ${base.toFixed(4)}, base + LoRA in llama.cpp ${withAdapter.toFixed(4)}, exported q8_0 ${exported.toFixed(4)}`);
    // The export carries the adapter: it scores as llama.cpp does with the adapter attached (q8_0 rounding aside),
    // and far closer to that than to the base.
    expect(Math.abs(exported / withAdapter - 1)).toBeLessThan(0.02);
    expect(Math.abs(exported - withAdapter)).toBeLessThan(Math.abs(withAdapter - base) / 4);
  }, 300_000);

  it("q4_k_m: writes the files without running ollama when --no-create, and lists the tensors that fall back", async () => {
    const out = path.join(root, "ollama-q4");
    const before = fs.readFileSync(ollamaLog, "utf8");
    const { code, stdout, stderr } = await localtune(["export", "ollama", runDir, "--out", out, "--no-create"], "", { PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` });
    expect(code, stderr).toBe(0);
    expect(fs.readFileSync(ollamaLog, "utf8")).toBe(before);
    expect(stdout).toContain(`to register it, run: ollama create run -f ${path.join(out, "Modelfile")}`);
    expect(stderr).toMatch(/note: blk\.0\.ffn_down\.weight written as f16 instead of q4_K: rows of 172 values/);
    expect(readGguf(path.join(out, "model.gguf")).getU32("general.file_type")).toBe(15);
  }, 300_000);

  it("--keep-adapter: the quantized base with the LoRA beside it on an ADAPTER line, as llama.cpp applies it", async () => {
    const out = path.join(root, "ollama-adapter");
    const result = await exportForRuntime({ target: "ollama", source: runDir, out, quant: "q8_0", keepAdapter: true, create: false });
    const adapter = path.join(runDir, "adapter", "adapter.gguf");
    expect(fs.readFileSync(path.join(out, "adapter.gguf")).equals(fs.readFileSync(adapter))).toBe(true);
    const modelfile = fs.readFileSync(path.join(out, "Modelfile"), "utf8");
    expect(modelfile).toMatch(/^FROM \.\/model\.gguf\nADAPTER \.\/adapter\.gguf$/m);
    expect(result.source).toMatchObject({ kind: "run", method: "lora", adapter });
    const [reference, exported] = [await perplexityOf(STORIES_260K, adapter), await perplexityOf(path.join(out, "model.gguf"), path.join(out, "adapter.gguf"))];
    expect(Math.abs(exported / reference - 1)).toBeLessThan(0.02);
    await expect(exportForRuntime({ target: "lmstudio", source: runDir, out: path.join(root, "nope"), keepAdapter: true })).rejects.toThrow(/--keep-adapter applies to a LoRA run exported for Ollama/);
    await expect(exportForRuntime({ target: "ollama", source: STORIES_260K, out: path.join(root, "nope"), keepAdapter: true })).rejects.toThrow(/--keep-adapter applies/);
    // Refused before anything is written.
    expect(fs.existsSync(path.join(root, "nope"))).toBe(false);
  }, 300_000);

  it("refuses a run whose adapter llama.cpp cannot load, saying which methods export", async () => {
    const dir = path.join(root, "prompt-run");
    RunFolder.create(resolveTrainConfig({ method: "prompt-tuning", model: STORIES_260K, data: [path.join(root, "train.txt")], out: dir }));
    await expect(exportForRuntime({ target: "ollama", source: dir, out: path.join(root, "nope") })).rejects.toThrow(RuntimeExportError);
    // The exportable methods come from the registry: those with a whole GGUF model or a GGUF LoRA among their formats.
    const message = await exportForRuntime({ target: "ollama", source: dir, out: path.join(root, "nope") }).catch((e: Error) => e.message);
    const listed = /Export runs of ([^;]+);/.exec(String(message))?.[1]?.split(", ").sort();
    expect(listed).toEqual(["bitfit", "full", "ia3", "lora"]);
  });
});

describe("export lmstudio", () => {
  it("writes <publisher>/<model>/<model>-<QUANT>.gguf and prints `lms import`", async () => {
    const out = path.join(root, "lmstudio");
    const { code, stdout, stderr } = await localtune(["export", "lmstudio", STORIES_260K, "--out", out, "--quant", "f16"]);
    expect(code, stderr).toBe(0);
    const file = path.join(out, "localtune", "stories260k", "stories260k-F16.gguf");
    expect(fs.existsSync(file)).toBe(true);
    expect(stdout).toContain(`lms import ${file}`);
    const model = await loadLlamaModel(file, { gpu: "cpu" });
    await model.dispose();
  }, 120_000);
});

describe("Ollama chat templates", () => {
  it("gives a ChatML model (Qwen2's template) its TEMPLATE and stop tokens", async () => {
    const qwen = readGguf(await testModelPath("qwen2")).metadata.get("tokenizer.chat_template");
    const template = ollamaTemplateFor(qwen?.type === "string" ? qwen.value : undefined)!;
    expect(template.family).toBe("chatml");
    expect(template.stops).toEqual(["<|im_start|>", "<|im_end|>"]);
    expect(template.template).toBe(
      '{{- range $i, $_ := .Messages }}{{ $last := eq (len (slice $.Messages $i)) 1 }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ if and $last (ne .Role "assistant") }}<|im_start|>assistant\n{{ end }}{{ end }}',
    );
    const text = renderModelfile({ from: "./model.gguf", template });
    expect(text).toContain('TEMPLATE """{{- range');
    expect(text).toContain('PARAMETER stop "<|im_end|>"');
  });

  it("recognises the other layouts by their special tokens and leaves unknown ones to Ollama", () => {
    expect(ollamaTemplateFor("{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}")?.family).toBe("llama3");
    expect(ollamaTemplateFor("{{ '<start_of_turn>' + role + '\\n' }}")?.family).toBe("gemma");
    expect(ollamaTemplateFor("{{ '<|user|>\\n' + message['content'] + '<|end|>\\n' }}")?.family).toBe("phi3");
    expect(ollamaTemplateFor("{{ '[|user|]' + message['content'] + '[|endofturn|]\\n' }}")?.family).toBe("exaone");
    expect(ollamaTemplateFor("{% for m in messages %}### {{ m.role }}: {{ m.content }}{% endfor %}")).toBeUndefined();
    expect(ollamaTemplateFor(undefined)).toBeUndefined();
  });
});
