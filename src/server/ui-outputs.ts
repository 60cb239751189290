// The local UI's routes for RAG (index a folder, search, ask with numbered sources) and export (merge a run's LoRA
// into a GGUF; a run quantized for Ollama or LM Studio): thin calls into the library, with every output under
// <workspace>/indexes or <workspace>/exports.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { mergeAdapters, MERGE_TYPES, type MergeTypeName } from "../adapters/index.js";
import { InvalidConfigError } from "../errors.js";
import { EXPORT_QUANTS, exportForRuntime, RUNTIME_TARGETS, type ExportQuant } from "../export/index.js";
import { askRag, indexRag, searchRag } from "../rag/index.js";
import { RunFolder } from "../train/run-folder.js";
import type { ApiContext } from "./ui-api.js";
import type { Workspace } from "./ui-workspace.js";

export const RagIndexRequest = z.object({
  name: z.string().describe("index folder name under <workspace>/indexes"),
  inputs: z.array(z.string()).min(1).describe("files, document folders or dataset folders to index"),
});
export const RagQueryRequest = z.object({
  index: z.string().describe("an index folder under <workspace>/indexes"),
  question: z.string().min(1).max(10_000).describe("the question or search words"),
  k: z.number().int().min(1).max(50).default(5).describe("passages to retrieve"),
  model: z.string().optional().describe("GGUF model that writes an answer (ask only)"),
});
export const MergeRequest = z.object({
  run: z.string().describe("a completed LoRA run under <workspace>/runs"),
  name: z.string().describe("file name (without .gguf) under <workspace>/exports"),
  type: z.enum(Object.keys(MERGE_TYPES) as [MergeTypeName, ...MergeTypeName[]]).optional().describe("storage type of the merged weights; default each weight's own"),
});

export const RuntimeExportRequest = z.object({
  run: z.string().describe("a finished run under <workspace>/runs"),
  target: z.enum(RUNTIME_TARGETS).describe("ollama or lmstudio"),
  name: z.string().describe("folder name under <workspace>/exports"),
  quant: z.enum(Object.keys(EXPORT_QUANTS) as [ExportQuant, ...ExportQuant[]]).default("q4_k_m").describe("llama.cpp quantization preset"),
  create: z.boolean().default(false).describe("register the model with `ollama create` when ollama is on PATH"),
});

function owned(workspace: Workspace, kind: "indexes" | "runs", dir: string): string {
  if (!workspace.owns(kind, dir)) {
    throw new InvalidConfigError({ en: `${dir} is not in ${path.join(workspace.root, kind)}.`, ko: `${dir}은(는) ${path.join(workspace.root, kind)} 안에 있지 않습니다.` });
  }
  return path.resolve(dir);
}

export async function ragIndex(ctx: ApiContext, body: z.infer<typeof RagIndexRequest>) {
  const index = ctx.workspace.outputDir("indexes", body.name);
  return indexRag(body.inputs, { index }, (p) => ctx.hub.publish({ kind: "progress", task: "rag-index", out: index, done: p.done, total: p.total, item: p.source }));
}

export async function ragSearch(ctx: ApiContext, body: z.infer<typeof RagQueryRequest>) {
  return searchRag(body.question, { index: owned(ctx.workspace, "indexes", body.index), k: body.k });
}

export async function ragAsk(ctx: ApiContext, body: z.infer<typeof RagQueryRequest>) {
  if (!body.model) throw new InvalidConfigError({ en: "choose a model to write the answer.", ko: "답을 쓸 모델을 고르세요." });
  return askRag(body.question, { index: owned(ctx.workspace, "indexes", body.index), k: body.k, model: body.model });
}

/** Merges a finished LoRA run into its base model; refuses to replace an existing export. */
export async function mergeRun(ctx: ApiContext, body: z.infer<typeof MergeRequest>) {
  const folder = RunFolder.open(owned(ctx.workspace, "runs", body.run));
  const config = folder.readConfig();
  const adapter = path.join(folder.adapterDir, "adapter.gguf");
  if (config.method !== "lora" || !fs.existsSync(adapter)) {
    throw new InvalidConfigError({
      en: `${folder.dir} has no finished LoRA adapter (method ${config.method}); merging needs a completed LoRA run.`,
      ko: `${folder.dir}에는 완성된 LoRA 어댑터가 없습니다 (방법 ${config.method}). 병합하려면 완료된 LoRA 실행이 필요합니다.`,
    });
  }
  const out = `${ctx.workspace.outputDir("exports", body.name)}.gguf`;
  if (fs.existsSync(out)) {
    throw new InvalidConfigError({ en: `${out} already exists; choose another name.`, ko: `${out}이(가) 이미 있습니다. 다른 이름을 고르세요.` });
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const result = await mergeAdapters({
    model: config.model,
    adapters: [{ path: adapter }],
    out,
    ...(body.type ? { type: body.type } : {}),
    onProgress: (done, total, tensor) => ctx.hub.publish({ kind: "progress", task: "merge", out, done, total, item: tensor }),
  });
  return { ...result, adapter, peft: fs.existsSync(path.join(folder.adapterDir, "peft")) ? path.join(folder.adapterDir, "peft") : null };
}

/** A finished run quantized for Ollama (Modelfile) or LM Studio, into a new folder under exports/. */
export async function exportRunForRuntime(ctx: ApiContext, body: z.infer<typeof RuntimeExportRequest>) {
  const run = owned(ctx.workspace, "runs", body.run);
  const out = ctx.workspace.outputDir("exports", body.name);
  if (fs.existsSync(out)) {
    throw new InvalidConfigError({ en: `${out} already exists; choose another name.`, ko: `${out}이(가) 이미 있습니다. 다른 이름을 고르세요.` });
  }
  return exportForRuntime({ target: body.target, source: run, out, quant: body.quant, create: body.create }, (done, total) =>
    ctx.hub.publish({ kind: "progress", task: "merge", out, done, total, item: body.target }),
  );
}
