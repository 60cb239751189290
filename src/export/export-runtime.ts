// `localtune export ollama|lmstudio`: a trained run (LoRA merged into its base first) or any model, written as one
// quantized GGUF where Ollama or LM Studio picks it up: for Ollama a folder with model.gguf and a Modelfile, and
// `ollama create` run when ollama is on PATH; for LM Studio its models-folder layout <publisher>/<model>/<file>.gguf.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { mergeAdapters } from "../adapters/index.js";
import { findMethod, METHODS } from "../methods/registry.js";
import { writeFileAtomic } from "../data/io.js";
import { InvalidConfigError, RuntimeExportError } from "../errors.js";
import { readGguf } from "../formats/gguf/index.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { resolveModelPath } from "../native/model-source.js";
import { RunFolder } from "../train/index.js";
import { renderModelfile } from "./modelfile.js";
import { ollamaTemplateFor } from "./ollama-template.js";
import { EXPORT_QUANTS, type ExportQuant, type QuantFallback } from "./quant-plan.js";
import { quantizeModel } from "./quantize-model.js";

export const RUNTIME_TARGETS = ["ollama", "lmstudio"] as const;
export type RuntimeTarget = (typeof RUNTIME_TARGETS)[number];

export const RuntimeExportOptionsSchema = z.object({
  target: z.enum(RUNTIME_TARGETS).describe("where the model will run: ollama or lmstudio"),
  source: z.string().min(1).describe("a run folder from `localtune train`, or a model: GGUF path, hf: name or https URL"),
  out: z.string().min(1).describe("folder to write (created when missing)"),
  quant: z.enum(Object.keys(EXPORT_QUANTS) as [ExportQuant, ...ExportQuant[]]).default("q4_k_m").describe("weight types, as llama.cpp's presets: q4_k_m, q5_k_m, q8_0 or f16"),
  name: z.string().min(1).optional().describe("model name in Ollama / LM Studio; default: the run folder's or the model file's name"),
  publisher: z.string().min(1).default("localtune").describe("LM Studio publisher folder (<out>/<publisher>/<name>/)"),
  create: z.boolean().default(true).describe("run `ollama create` when ollama is on PATH (Ollama only)"),
  keepAdapter: z
    .boolean()
    .default(false)
    .describe("LoRA runs for Ollama: quantize only the base and keep the adapter as its own file (an ADAPTER line), instead of merging it in"),
});
export type RuntimeExportOptions = z.input<typeof RuntimeExportOptionsSchema>;

export interface RuntimeExportResult {
  target: RuntimeTarget;
  /** The quantized GGUF written. */
  modelFile: string;
  quant: ExportQuant;
  /** What was exported: a run (its method, base and the adapter merged) or a model file. */
  source: { kind: "run"; dir: string; method: string; base: string; merged?: string; adapter?: string } | { kind: "model"; file: string };
  /** Tensor counts per written type ("q4_K": 7, ...). */
  types: Record<string, number>;
  fallbacks: QuantFallback[];
  /** Ollama: the Modelfile written and the chat layout it got (null: no TEMPLATE). */
  modelfile?: { file: string; chatLayout: string | null };
  /** The command that registers the model with the runtime. */
  command: string[];
  /** Ollama, when it was on PATH: what `ollama create` printed. */
  created?: { output: string };
}

/** The file of a finished run that holds the whole adapted model, per method; LoRA returns its adapter to merge. */
function runModel(folder: RunFolder, method: string): { model: string } | { adapter: string } {
  const missing = (file: string) =>
    new RuntimeExportError({
      en: `${folder.dir} has no ${path.relative(folder.dir, file)} yet: the run did not finish. Finish it with \`localtune train resume ${folder.dir}\`, then export.`,
      ko: `${folder.dir}에 아직 ${path.relative(folder.dir, file)}이(가) 없습니다: 학습이 끝나지 않았습니다. \`localtune train resume ${folder.dir}\`로 마친 뒤 내보내세요.`,
    });
  const need = (file: string) => {
    if (!fs.existsSync(file)) throw missing(file);
    return file;
  };
  // The method says which of its files a runtime loads: a whole model (merged or fully trained), or a GGUF LoRA to merge.
  const formats = findMethod(method).exportFormats;
  const whole = formats.find((f) => f.format === "gguf-model");
  if (whole) return { model: need(path.join(folder.dir, whole.path)) };
  const lora = formats.find((f) => f.format === "gguf-lora");
  if (lora) return { adapter: need(path.join(folder.dir, lora.path)) };
  const exportable = METHODS.filter((m) => m.exportFormats.some((f) => f.format === "gguf-model" || f.format === "gguf-lora")).map((m) => m.name).join(", ");
  throw new RuntimeExportError({
    en: `${folder.dir} is a ${method} run: its adapter has no form llama.cpp, Ollama or LM Studio can load. Export runs of ${exportable}; run ${method} adapters with \`localtune generate --adapter\`.`,
    ko: `${folder.dir}은(는) ${method} 실행입니다: 이 어댑터는 llama.cpp, Ollama, LM Studio가 불러올 수 있는 형태가 없습니다. ${exportable} 학습 결과를 내보내고, ${method} 어댑터는 \`localtune generate --adapter\`로 실행하세요.`,
  });
}

function keepAdapterMisused(): RuntimeExportError {
  return new RuntimeExportError({
    en: "--keep-adapter applies to a LoRA run exported for Ollama (its ADAPTER line); for anything else the model is exported whole. Drop --keep-adapter.",
    ko: "--keep-adapter는 Ollama로 내보내는 LoRA 실행에만 쓰입니다(ADAPTER 줄). 그 밖에는 모델 전체를 내보내므로 --keep-adapter를 빼세요.",
  });
}

/** A name Ollama accepts (lowercase letters, digits, . _ -) from a run folder or file name. */
export function runtimeModelName(from: string): string {
  const base = path.basename(from).replace(/\.gguf$/i, "");
  const name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[-._]+|[-._]+$/g, "");
  return name || "localtune-model";
}

/** The executable `name` on PATH (with Windows' extensions), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "")) {
    for (const ext of extensions) {
      const file = path.join(dir, name + ext);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        if (fs.statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Runs a command in `cwd`, collecting stdout and stderr together; rejects with both on a non-zero exit. */
function runCommand(file: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`exit code ${code}: ${output.trim()}`))));
  });
}

export async function exportForRuntime(input: RuntimeExportOptions, onProgress?: (done: number, total: number) => void): Promise<RuntimeExportResult> {
  const parsed = RuntimeExportOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
    throw new InvalidConfigError({ en: `invalid export options: ${problems}`, ko: `내보내기 옵션이 올바르지 않습니다: ${problems}` });
  }
  const options = parsed.data;
  const out = path.resolve(options.out);
  const isRun = fs.existsSync(path.join(options.source, "config.json"));
  const name = options.name ?? runtimeModelName(options.source);
  const quantName = options.quant.toUpperCase();
  const modelFile = options.target === "ollama" ? path.join(out, "model.gguf") : path.join(out, options.publisher, name, `${name}-${quantName}.gguf`);
  assertOutputIsNotInput({ path: modelFile, kind: "file" }, [options.source]);
  if (options.keepAdapter && options.target !== "ollama") throw keepAdapterMisused();

  let source: RuntimeExportResult["source"];
  let unquantized: string;
  let mergedTemp: string | undefined;
  let separateAdapter: string | undefined;
  if (isRun) {
    const folder = RunFolder.open(options.source);
    const config = folder.readConfig();
    const found = runModel(folder, config.method);
    // Runs from before model names were resolved may hold a relative path: it was relative to where training ran.
    const base = await resolveModelPath(config.model);
    if ("adapter" in found && options.keepAdapter) {
      // Ollama applies the GGUF LoRA over the quantized base at run time (llama.cpp's adapter, as node-llama-cpp does).
      separateAdapter = found.adapter;
      unquantized = base;
      source = { kind: "run", dir: folder.dir, method: config.method, base, adapter: found.adapter };
    } else if ("adapter" in found) {
      // The adapter merged in F32 (no rounding of its own), then quantized once like any model.
      mergedTemp = path.join(path.dirname(modelFile), `.${path.basename(modelFile)}.${process.pid}.merged.gguf`);
      fs.mkdirSync(path.dirname(modelFile), { recursive: true });
      await mergeAdapters({ model: base, adapters: [{ path: found.adapter }], out: mergedTemp, type: "f32" });
      unquantized = mergedTemp;
      source = { kind: "run", dir: folder.dir, method: config.method, base, merged: found.adapter };
    } else {
      unquantized = found.model;
      source = { kind: "run", dir: folder.dir, method: config.method, base };
    }
  } else {
    unquantized = await resolveModelPath(options.source);
    source = { kind: "model", file: unquantized };
  }
  if (options.keepAdapter && separateAdapter === undefined) throw keepAdapterMisused();
  fs.mkdirSync(path.dirname(modelFile), { recursive: true });

  let quantized;
  try {
    quantized = await quantizeModel({ model: unquantized, out: modelFile, quant: options.quant, ...(onProgress ? { onProgress: (done, total) => onProgress(done, total) } : {}) });
  } finally {
    if (mergedTemp !== undefined) fs.rmSync(mergedTemp, { force: true });
  }
  const types: Record<string, number> = {};
  for (const type of Object.values(quantized.types)) types[type] = (types[type] ?? 0) + 1;
  const result: RuntimeExportResult = { target: options.target, modelFile, quant: options.quant, source, types, fallbacks: quantized.fallbacks, command: [] };

  if (options.target === "lmstudio") {
    result.command = ["lms", "import", modelFile];
    return result;
  }
  const chatTemplate = readGguf(modelFile).metadata.get("tokenizer.chat_template");
  const template = ollamaTemplateFor(chatTemplate?.type === "string" ? chatTemplate.value : undefined);
  const modelfile = path.join(out, "Modelfile");
  if (separateAdapter !== undefined) fs.copyFileSync(separateAdapter, path.join(out, "adapter.gguf"));
  writeFileAtomic(
    modelfile,
    renderModelfile({ from: `./${path.basename(modelFile)}`, ...(separateAdapter !== undefined ? { adapter: "./adapter.gguf" } : {}), ...(template ? { template } : {}) }),
  );
  result.modelfile = { file: modelfile, chatLayout: template?.family ?? null };
  result.command = ["ollama", "create", name, "-f", modelfile];
  const ollama = options.create ? findOnPath("ollama") : undefined;
  if (ollama !== undefined) {
    try {
      result.created = { output: await runCommand(ollama, result.command.slice(1), out) };
    } catch (error) {
      throw new RuntimeExportError(
        {
          en: `${modelFile} and ${modelfile} are written, but \`${result.command.join(" ")}\` failed: ${(error as Error).message}. Check that the Ollama server runs (\`ollama serve\`) and run the command again.`,
          ko: `${modelFile}와 ${modelfile}은(는) 썼지만 \`${result.command.join(" ")}\`이(가) 실패했습니다: ${(error as Error).message}. Ollama 서버가 실행 중인지(\`ollama serve\`) 확인하고 명령을 다시 실행하세요.`,
        },
        { cause: error },
      );
    }
  }
  return result;
}
