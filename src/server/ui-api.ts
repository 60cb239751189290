// The local UI's JSON API: thin routes over the public library (training, data preparation, generation, doctor, RAG,
// export, ladder), the file picker, the method forms and the message tables. Every route is reached only through the guard.
import type http from "node:http";
import path from "node:path";
import { z } from "zod";
import { InvalidConfigError, LocaltuneError } from "../errors.js";
import { prepareDataset, readDatasetStats, formatDatasetStats, PrepareOptionsSchema } from "../data/index.js";
import { formatDoctorReport, runDoctor } from "../doctor/index.js";
import { UI_MESSAGES } from "../i18n/ui-messages.js";
import { optionFields } from "../methods/option-fields.js";
import { METHODS } from "../methods/registry.js";
import { BUILTIN_TEMPLATE_NAMES, buildPrompt, builtinTemplate, loadFewShotPool, RAW_VARIANT, resolveTemplateSpec, SamplingSchema, templateVariables } from "../prompt/index.js";
import { TrainConfigSchema } from "../train/index.js";
import { allRungs, demoLadderOptions, LadderOptionsSchema } from "../ladder/index.js";
import { bilingualError, type TrainingJobs, type UiEventHub } from "./ui-jobs.js";
import type { GenerationWorker } from "./ui-generation.js";
import type { LadderJobs } from "./ui-ladder.js";
import { exportRunForRuntime, mergeRun, MergeRequest, ragAsk, ragIndex, RagIndexRequest, RagQueryRequest, ragSearch, RuntimeExportRequest } from "./ui-outputs.js";
import { listFolder, type Workspace } from "./ui-workspace.js";

/** An API failure with its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { name: string; en: string; ko: string },
  ) {
    super(body.en);
  }
}

export interface ApiContext {
  workspace: Workspace;
  jobs: TrainingJobs;
  ladders: LadderJobs;
  generation: GenerationWorker;
  hub: UiEventHub;
  bodyLimit: number;
}

/** Reads a JSON body, refusing more than `limit` bytes (413) before reading further. */
export async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  const tooBig = new ApiError(413, { name: "PayloadTooLarge", en: `request body over ${limit} bytes.`, ko: `요청 본문이 ${limit}바이트를 넘습니다.` });
  if (declared > limit) throw tooBig;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooBig;
    chunks.push(chunk);
  }
  try {
    return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new ApiError(400, { name: "BadJson", en: `invalid JSON body: ${(error as Error).message}`, ko: `JSON 본문이 올바르지 않습니다: ${(error as Error).message}` });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join(".") || what}: ${i.message}`).join("; ");
  throw new InvalidConfigError({ en: `invalid ${what}: ${detail}`, ko: `${what} 요청이 올바르지 않습니다: ${detail}` });
}

const TrainRequest = z.object({
  name: z.string().describe("run folder name under <workspace>/runs"),
  config: z.record(z.string(), z.unknown()).describe("training config without out (see TrainConfigSchema)"),
});
const LadderRequest = z.object({
  name: z.string().describe("ladder folder name under <workspace>/ladders"),
  options: z.record(z.string(), z.unknown()).describe("ladder options without out (see LadderOptionsSchema)"),
  lang: z.enum(["en", "ko"]).default("en").describe("language of the report"),
});
const LadderDirRequest = z.object({ dir: z.string().describe("ladder folder") });
const RunRequest = z.object({ run: z.string().describe("run folder") });
const PrepareRequest = z.object({
  name: z.string().describe("dataset folder name under <workspace>/datasets"),
  options: z.record(z.string(), z.unknown()).describe("data prepare options without out (see PrepareOptionsSchema)"),
});
const GenerateRequest = z.object({
  model: z.string().min(1).describe("base model GGUF"),
  adapter: z.string().optional().describe("adapter file or folder (a run's adapter/), none for the base model"),
  prompt: z.string().max(100_000).default("").describe("the prompt (raw template), or the template's main variable"),
  template: z.string().default("raw").describe('"raw" (the prompt as is) or a built-in template name: qa, summarise, classify, extract'),
  vars: z.record(z.string(), z.string().max(100_000)).default({}).describe("the template's variables"),
  examples: z.string().optional().describe("few-shot examples file (JSONL of input/output or question/answer pairs)"),
  fewShot: z.number().int().min(0).max(32).default(0).describe("examples drawn from the file into the prompt"),
  lang: z.enum(["en", "ko"]).default("en").describe("language of a built-in template"),
  chat: z.boolean().default(false).describe("wrap the prompt in the model's chat template"),
  system: z.string().optional().describe("system prompt (chat only)"),
  sampling: SamplingSchema.partial().default({}).describe("sampling settings"),
});
const DoctorRequest = z.object({
  model: z.string().optional().describe("GGUF model to plan for"),
  data: z.string().optional().describe("prepared dataset folder"),
  calibration: z.enum(["auto", "skip"]).default("skip").describe("benchmark the engine when no calibration is cached"),
});

/** A built-in template only: a template file named in a request would be a path the user never picked. */
function resolveBuiltin(name: string, lang: "en" | "ko", fewShot: number) {
  if (!(BUILTIN_TEMPLATE_NAMES as readonly string[]).includes(name)) {
    throw new InvalidConfigError({ en: `unknown template "${name}": use raw or ${BUILTIN_TEMPLATE_NAMES.join(", ")}.`, ko: `알 수 없는 템플릿 "${name}": raw 또는 ${BUILTIN_TEMPLATE_NAMES.join(", ")}을(를) 쓰세요.` });
  }
  return resolveTemplateSpec(name, lang, fewShot);
}

type Handler = (ctx: ApiContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<unknown>;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const routes: Record<string, Handler> = {
  "GET /api/messages": async () => UI_MESSAGES,
  "GET /api/methods": async () => ({
    train: optionFields(TrainConfigSchema, ["method", "methodOptions", "model", "data", "valData", "out", "device"]),
    methods: METHODS.map((m) => ({ name: m.name, summary: m.summary, output: m.output, fields: optionFields(m.schema) })),
  }),
  "GET /api/workspace": async (ctx) => {
    // The embedded default (stories260K and the Maple Hill corpus, as `localtune demo` uses them): a first run works
    // before the user has a model of their own.
    const demo = demoLadderOptions({ out: "" });
    return { root: ctx.workspace.root, demo: { model: demo.model, data: demo.data, suite: demo.suite, heldOut: demo.heldOut ?? null } };
  },
  "GET /api/fs": async (ctx, _req, _res, url) => listFolder(url.searchParams.get("dir") || ctx.workspace.root),
  "GET /api/runs": async (ctx) => ctx.jobs.list(),
  "POST /api/train": async (ctx, req) => {
    const body = parse(TrainRequest, await readJson(req, ctx.bodyLimit), "train");
    return { run: await ctx.jobs.start(body.name, body.config as never) };
  },
  "POST /api/train/stop": async (ctx, req) => {
    ctx.jobs.stop(parse(RunRequest, await readJson(req, ctx.bodyLimit), "stop").run);
    return { ok: true };
  },
  "POST /api/train/resume": async (ctx, req) => {
    ctx.jobs.resume(parse(RunRequest, await readJson(req, ctx.bodyLimit), "resume").run);
    return { ok: true };
  },
  "GET /api/datasets": async (ctx) =>
    ctx.workspace.list("datasets").flatMap((dir) => {
      try {
        const summary = readDatasetStats(dir);
        return [{ dir, name: path.basename(dir), stats: summary.stats, text: { en: formatDatasetStats(summary, "en"), ko: formatDatasetStats(summary, "ko") } }];
      } catch {
        // A folder that is not (yet) a prepared dataset: not offered for training.
        return [];
      }
    }),
  "GET /api/data/fields": async () => optionFields(PrepareOptionsSchema, ["inputs", "out", "force", "model"]),
  "POST /api/data/prepare": async (ctx, req) => {
    const body = parse(PrepareRequest, await readJson(req, ctx.bodyLimit), "prepare");
    // Never force: an existing dataset folder is refused by the library, so nothing is overwritten.
    const out = ctx.workspace.outputDir("datasets", body.name);
    const result = await prepareDataset({ ...(body.options as { inputs: string[] }), out, force: false }, {
      onProgress: (p) => ctx.hub.publish({ kind: "prepare", out, phase: p.phase, done: p.done, total: p.total }),
    });
    const summary = readDatasetStats(result.outDir);
    return { dir: result.outDir, stats: result.stats, text: { en: formatDatasetStats(summary, "en"), ko: formatDatasetStats(summary, "ko") } };
  },
  "POST /api/doctor": async (ctx, req) => {
    const body = parse(DoctorRequest, await readJson(req, ctx.bodyLimit), "doctor");
    const report = await runDoctor({ ...body, workspace: ctx.workspace.root });
    return { report, text: { en: formatDoctorReport(report, "en"), ko: formatDoctorReport(report, "ko") } };
  },
  "GET /api/rag/indexes": async (ctx) => ctx.workspace.list("indexes").map((dir) => ({ dir, name: path.basename(dir) })),
  "POST /api/rag/index": async (ctx, req) => ragIndex(ctx, parse(RagIndexRequest, await readJson(req, ctx.bodyLimit), "rag index")),
  "POST /api/rag/search": async (ctx, req) => ragSearch(ctx, parse(RagQueryRequest, await readJson(req, ctx.bodyLimit), "rag search")),
  "POST /api/rag/ask": async (ctx, req) => ragAsk(ctx, parse(RagQueryRequest, await readJson(req, ctx.bodyLimit), "rag ask")),
  "POST /api/export/merge": async (ctx, req) => mergeRun(ctx, parse(MergeRequest, await readJson(req, ctx.bodyLimit), "merge")),
  "POST /api/export/runtime": async (ctx, req) => exportRunForRuntime(ctx, parse(RuntimeExportRequest, await readJson(req, ctx.bodyLimit), "export")),
  "GET /api/ladder/form": async () => ({
    rungs: allRungs().map((r) => ({ id: r.id, label: r.label, kind: r.kind })),
    fields: optionFields(LadderOptionsSchema, ["model", "data", "suite", "heldOut", "out", "methods", "addRungs", "examples", "judgeModel", "title"]),
  }),
  "GET /api/ladders": async (ctx) => ctx.ladders.list(),
  "POST /api/ladder": async (ctx, req) => {
    const body = parse(LadderRequest, await readJson(req, ctx.bodyLimit), "ladder");
    return { dir: ctx.ladders.start(body.name, body.options as never, body.lang) };
  },
  "POST /api/ladder/stop": async (ctx, req) => {
    ctx.ladders.stop(parse(LadderDirRequest, await readJson(req, ctx.bodyLimit), "ladder stop").dir);
    return { ok: true };
  },
  "GET /api/ladder/report": async (ctx, _req, res, url) => {
    const html = ctx.ladders.reportHtml(url.searchParams.get("dir") ?? "");
    // The report is self-contained (inline styles, SVG charts, no scripts): sandboxed, it may load nothing at all.
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:", "cache-control": "no-store" });
    res.end(html);
    return undefined;
  },
  "GET /api/templates": async () =>
    BUILTIN_TEMPLATE_NAMES.map((name) => ({
      name,
      text: { en: builtinTemplate(name, "en")!.template, ko: builtinTemplate(name, "ko")!.template },
      variables: templateVariables(builtinTemplate(name, "en")!.template).filter((v) => v !== "examples"),
    })),
  "POST /api/generate": async (ctx, req, res) => {
    const body = parse(GenerateRequest, await readJson(req, ctx.bodyLimit), "generate");
    // The prompt is built as `localtune prompts` builds each row: the template, its variables, drawn examples.
    const variant = body.template === "raw" ? { ...RAW_VARIANT, fewShot: body.fewShot } : resolveBuiltin(body.template, body.lang, body.fewShot);
    const pool = body.examples ? loadFewShotPool(body.examples) : undefined;
    const { prompt } = buildPrompt({ id: "playground", vars: { prompt: body.prompt, ...body.vars } }, 0, variant, pool, body.sampling.seed ?? 42);
    const system = body.system ?? variant.system;
    // Streamed as server-sent events over the POST response: one `text` event per chunk, then `done` or `error`.
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" });
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send("prompt", { prompt });
    try {
      const done = await ctx.generation.generate(
        { model: body.model, ...(body.adapter ? { adapters: [{ path: body.adapter }] } : {}), prompt, chat: body.chat, ...(system ? { system } : {}), sampling: body.sampling },
        (text) => send("text", { text }),
        abort.signal,
      );
      send("done", done);
    } catch (error) {
      send("error", error);
    }
    res.end();
    return undefined;
  },
  "GET /api/events": async (ctx, req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": connected\n\n");
    const unsubscribe = ctx.hub.subscribe((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    // A comment line every 15 s keeps proxies and idle timers from closing the stream.
    const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
    req.on("close", () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    return undefined;
  },
};

/** Runs the route for a request; answers 404 for unknown API paths. Errors become JSON with both languages. */
export async function handleApi(ctx: ApiContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const handler = routes[`${req.method} ${url.pathname}`];
  if (!handler) return json(res, 404, { name: "NotFound", en: `no API route ${req.method} ${url.pathname}`, ko: `API 경로가 없습니다: ${req.method} ${url.pathname}` });
  try {
    const body = await handler(ctx, req, res, url);
    if (body !== undefined) json(res, 200, body);
  } catch (error) {
    if (res.headersSent) return void res.end();
    if (error instanceof ApiError) return json(res, error.status, error.body);
    // A named localtune error is the request's fault; anything else is ours.
    json(res, error instanceof LocaltuneError ? 400 : 500, bilingualError(error));
  }
}
