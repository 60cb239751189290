// export-job on the demo data (stories260K, Maple Hill): a LoRA run and a DAPT run (2 steps each) and a prepared chat
// dataset, exported to Axolotl and LLaMA-Factory. The configs may use only keys the targets' schemas declare (the
// pinned lists in test/fixtures/export-job/), carry the run's hyper-parameters, and the data files follow each
// target's documented format rules, with every document's text present exactly once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LlamaModel } from "node-llama-cpp";
import { parse, parseDocument, visit } from "yaml";
import { exportJob, type ExportJobResult } from "../src/export-job/index.js";
import { ExportJobError } from "../src/errors.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { startTraining } from "../src/train/index.js";
import { STORIES_260K } from "./helpers/test-models.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "localtune-export-job-"));
process.env.LOCALTUNE_CACHE_DIR = path.join(root, "cache");
const TRAIN = path.resolve("corpus/maple-hill/train.txt");
const HELDOUT = path.resolve("corpus/maple-hill/heldout.txt");
const HF = "karpathy/tinyllamas-stories260K";
const CTX = 32;

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join("test/fixtures/export-job", name), "utf8")) as Record<string, Record<string, string>>;
const AXOLOTL = fixture("axolotl-keys.json");
const LLAMA_FACTORY = fixture("llama-factory-keys.json");
const DEEPSPEED = fixture("deepspeed-keys.json");

/** Keys of `object` that the pinned schema list does not hold. */
function unknownKeys(object: Record<string, unknown>, allowed: Record<string, string>): string[] {
  return Object.keys(object).filter((k) => !Object.hasOwn(allowed, k));
}

// PyYAML (YAML 1.1) resolvers for plain scalars: what Axolotl and LLaMA-Factory read a config with.
const YAML11_INT = /^[-+]?(0|[1-9][0-9_]*)$/;
const YAML11_FLOAT = /^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$/;
const YAML11_BOOL_NULL = /^(true|false|null)$/;

/** Every plain (unquoted) scalar of a YAML text must resolve in PyYAML to the type the yaml package gives it. */
function checkPlainScalars(text: string): void {
  let plain = 0;
  visit(parseDocument(text), {
    Scalar(key, node) {
      if (key === "key" || node.type !== "PLAIN") return; // map keys are names, not values
      plain++;
      const source = text.slice(node.range![0], node.range![1]);
      if (typeof node.value === "number") {
        expect(YAML11_INT.test(source) || YAML11_FLOAT.test(source), `${source} is not a PyYAML number`).toBe(true);
        expect(Number(source)).toBe(node.value);
      } else {
        expect(YAML11_BOOL_NULL.test(source), `${source} is a plain scalar PyYAML may read differently`).toBe(true);
      }
    },
  });
  expect(plain).toBeGreaterThan(0);
}

function readConfig(result: ExportJobResult): Record<string, unknown> {
  const text = fs.readFileSync(path.join(result.dir, result.configFile), "utf8");
  checkPlainScalars(text);
  return parse(text) as Record<string, unknown>;
}

const jsonl = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

/** The checks of LLaMA-Factory's sharegpt (OpenAI flavour) rules, written from its data/README.md. */
function sharegptOrderOk(messages: Array<Record<string, unknown>>, tags: Record<string, string>): boolean {
  const role = (m: Record<string, unknown>) => m[tags.role_tag!];
  const rest = role(messages[0]!) === tags.system_tag ? messages.slice(1) : messages;
  return rest.length > 0 && rest.length % 2 === 0 && rest.every((m, i) => role(m) === (i % 2 === 0 ? tags.user_tag : tags.assistant_tag) && typeof m[tags.content_tag!] === "string");
}

let vocab: LlamaModel;
let loraRun: string;
let daptRun: string;
let chatDataset: string;
const CHATS = [
  { role: "user", content: "Who is Pip?" },
  { role: "assistant", content: "Pip is the little dragon of Maple Hill." },
];

beforeAll(async () => {
  vocab = await loadLlamaModel(STORIES_260K, { gpu: "cpu", vocabOnly: true });
  loraRun = path.join(root, "runs", "lora");
  daptRun = path.join(root, "runs", "dapt");
  const common = { model: STORIES_260K, data: [TRAIN], valData: [HELDOUT], steps: 2, ctx: CTX, batch: 2, threads: 1, warmup: 1, evalEvery: 1, saveEvery: 2, evalBatches: 1 };
  await startTraining({ ...common, method: "lora", methodOptions: { rank: 4, rslora: true }, out: loraRun, earlyStop: 2, lr: 5e-3 });
  await startTraining({ ...common, method: "full", methodOptions: {}, out: daptRun, lr: 2e-4, schedule: "linear" });
  // A prepared dataset folder holding conversations (the records `data prepare` writes for instruction data).
  chatDataset = path.join(root, "chat-dataset");
  fs.mkdirSync(chatDataset);
  fs.writeFileSync(path.join(chatDataset, "manifest.json"), "{}\n");
  const record = (id: string, messages: unknown[]) => JSON.stringify({ kind: "chat", id, docId: id, source: "qa.jsonl", lang: "en", messages });
  fs.writeFileSync(path.join(chatDataset, "train.jsonl"), [record("a", CHATS), record("b", [{ role: "system", content: "Answer briefly." }, ...CHATS, { role: "user", content: "And Mira?" }, { role: "assistant", content: "Mira wears a red hat." }])].join("\n") + "\n");
  fs.writeFileSync(path.join(chatDataset, "val.jsonl"), record("c", CHATS) + "\n");
}, 300_000);

afterAll(async () => {
  await vocab?.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("export-job to Axolotl", () => {
  it("LoRA run: only schema keys, the run's hyper-parameters, completion records holding every document exactly", async () => {
    const result = await exportJob({ target: "axolotl", run: loraRun, out: path.join(root, "jobs", "ax-lora"), hfModel: HF });
    const config = readConfig(result);
    expect(unknownKeys(config, AXOLOTL.topLevel!)).toEqual([]);
    expect(config).toMatchObject({
      base_model: HF,
      adapter: "lora",
      lora_r: 4,
      lora_alpha: 8,
      lora_dropout: 0,
      peft_use_rslora: true,
      lora_target_modules: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
      sequence_len: CTX,
      micro_batch_size: 2,
      gradient_accumulation_steps: 1,
      max_steps: 2,
      learning_rate: 5e-3,
      lr_scheduler: "cosine",
      cosine_min_lr_ratio: 0.1,
      warmup_steps: 1,
      seed: 42,
      bf16: "auto",
      eval_steps: 1,
      save_steps: 2,
      early_stopping_patience: 2,
    });
    expect(config.deepspeed).toBeUndefined();
    const entries = [...(config.datasets as Array<Record<string, unknown>>), ...(config.test_datasets as Array<Record<string, unknown>>)];
    for (const entry of entries) {
      expect(unknownKeys(entry, AXOLOTL.datasetEntry!)).toEqual([]);
      expect(entry).toMatchObject({ type: "completion", field: "text", ds_type: "json" });
    }
    // The completion type reads `field` of every line and truncates a record at 64 x sequence_len tokens.
    for (const [entry, source] of [[entries[0]!, TRAIN], [entries[1]!, HELDOUT]] as const) {
      const records = jsonl(path.join(result.dir, entry.path as string));
      for (const r of records) {
        expect(typeof r.text).toBe("string");
        expect(vocab.tokenize(r.text as string).length).toBeLessThanOrEqual(64 * CTX);
      }
      expect(records.map((r) => r.text).join("")).toBe(fs.readFileSync(source, "utf8").normalize("NFC"));
    }
    expect(jsonl(path.join(result.dir, entries[0]!.path as string)).length).toBeGreaterThan(1); // the long corpus was cut
    // Settings Axolotl has no key for are listed, in the output and in both languages of the README.
    expect(result.notes.map((n) => n.option)).toEqual(["--threads", "evalBatches"]);
    const readme = fs.readFileSync(path.join(result.dir, "README.md"), "utf8");
    expect(readme).toContain("## English");
    expect(readme).toContain("## 한국어");
    expect(readme).toContain("accelerate launch -m axolotl.cli.train axolotl.yaml");
    expect(readme).toContain("--add-rung cluster-lora=");
    for (const note of result.notes) expect(readme.split(`\`${note.option}\``).length).toBe(3); // en and ko
  });

  it("DAPT run on 4 GPUs: full weights, DeepSpeed ZeRO-3 with schema keys; FSDP gives axolotl's fsdp_config", async () => {
    const result = await exportJob({ target: "axolotl", run: daptRun, out: path.join(root, "jobs", "ax-dapt"), hfModel: HF, gpus: 4 });
    const config = readConfig(result);
    expect(unknownKeys(config, AXOLOTL.topLevel!)).toEqual([]);
    expect(config.adapter).toBeUndefined();
    expect(config).toMatchObject({ learning_rate: 2e-4, lr_scheduler: "linear", deepspeed: "deepspeed.json" });
    expect(result.notes.map((n) => n.option)).toContain("minLrRatio"); // linear decays to 0 there
    const ds = JSON.parse(fs.readFileSync(path.join(result.dir, "deepspeed.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(unknownKeys(ds, DEEPSPEED.topLevel!)).toEqual([]);
    expect(unknownKeys(ds.zero_optimization!, DEEPSPEED.zeroOptimization!)).toEqual([]);
    expect(unknownKeys(ds.bf16!, DEEPSPEED.bf16!)).toEqual([]);
    expect(ds.zero_optimization!.stage).toBe(3);
    expect(fs.readFileSync(path.join(result.dir, "README.md"), "utf8")).toContain("accelerate launch --num_processes 4 -m axolotl.cli.train axolotl.yaml");

    const fsdp = readConfig(await exportJob({ target: "axolotl", run: daptRun, out: path.join(root, "jobs", "ax-fsdp"), hfModel: HF, gpus: 2, distributed: "fsdp" }));
    expect(fsdp.deepspeed).toBeUndefined();
    expect(unknownKeys(fsdp.fsdp_config as Record<string, unknown>, AXOLOTL.fsdpConfig!)).toEqual([]);
    expect(fsdp.fsdp_config).toMatchObject({ transformer_layer_cls_to_wrap: "LlamaDecoderLayer" });
  });

  it("conversations: chat_template records trained on assistant turns and their end of turn", async () => {
    const result = await exportJob({ target: "axolotl", train: { method: "lora", model: STORIES_260K, data: [chatDataset], ctx: 64 }, out: path.join(root, "jobs", "ax-chat"), hfModel: HF });
    const config = readConfig(result);
    const entry = (config.datasets as Array<Record<string, unknown>>)[0]!;
    expect(unknownKeys(entry, AXOLOTL.datasetEntry!)).toEqual([]);
    expect(entry).toMatchObject({ type: "chat_template", field_messages: "messages", roles_to_train: ["assistant"], train_on_eos: "turn", message_property_mappings: { role: "role", content: "content" } });
    const records = jsonl(path.join(result.dir, entry.path as string));
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({ messages: CHATS });
    expect((config.test_datasets as unknown[]).length).toBe(1); // the dataset folder's val split
  });
});

describe("export-job to LLaMA-Factory", () => {
  it("LoRA run: stage pt, schema keys, dataset_info entries that describe the pre-training files", async () => {
    const result = await exportJob({ target: "llama-factory", run: loraRun, out: path.join(root, "jobs", "lf-lora"), hfModel: HF });
    const config = readConfig(result);
    expect(unknownKeys(config, LLAMA_FACTORY.topLevel!)).toEqual([]);
    expect(config).toMatchObject({
      model_name_or_path: HF,
      stage: "pt",
      finetuning_type: "lora",
      lora_rank: 4,
      lora_alpha: 8,
      use_rslora: true,
      lora_target: "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
      packing: true,
      cutoff_len: CTX + 1, // LLaMA-Factory cuts packed blocks one token shorter than cutoff_len
      per_device_train_batch_size: 2,
      max_steps: 2,
      learning_rate: 5e-3,
      lr_scheduler_type: "cosine_with_min_lr",
      lr_scheduler_kwargs: { min_lr_rate: 0.1 },
      warmup_steps: 1,
      eval_strategy: "steps",
      eval_steps: 1,
      save_steps: 2,
      bf16: true,
    });
    expect(config.template).toBeUndefined();
    const info = JSON.parse(fs.readFileSync(path.join(result.dir, "data", "dataset_info.json"), "utf8")) as Record<string, Record<string, Record<string, string>>>;
    const pairs: Array<[string, string]> = [[config.dataset as string, TRAIN], [config.eval_dataset as string, HELDOUT]];
    for (const [name, source] of pairs) {
      const entry = info[name]!;
      expect(unknownKeys(entry, LLAMA_FACTORY.datasetInfoEntry!)).toEqual([]);
      expect(unknownKeys(entry.columns!, LLAMA_FACTORY.datasetInfoColumns!)).toEqual([]);
      expect(entry.formatting).toBeUndefined(); // pre-training data is alpaca-style ({"text": ...}), never sharegpt
      const records = jsonl(path.join(result.dir, "data", entry.file_name as unknown as string));
      expect(records.map((r) => r[entry.columns!.prompt!])).toEqual([fs.readFileSync(source, "utf8").normalize("NFC")]);
    }
    // No early-stopping key in LLaMA-Factory: listed.
    expect(result.notes.map((n) => n.option)).toEqual(["--threads", "evalBatches", "--early-stop"]);
  });

  it("DAPT run on 2 GPUs: full fine-tuning with DeepSpeed ZeRO-3; FSDP is refused with a reason", async () => {
    const result = await exportJob({ target: "llama-factory", run: daptRun, out: path.join(root, "jobs", "lf-dapt"), hfModel: HF, gpus: 2 });
    const config = readConfig(result);
    expect(unknownKeys(config, LLAMA_FACTORY.topLevel!)).toEqual([]);
    expect(config).toMatchObject({ stage: "pt", finetuning_type: "full", lr_scheduler_type: "linear", deepspeed: "deepspeed.json" });
    expect(config.lora_rank).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(result.dir, "deepspeed.json"), "utf8")).zero_optimization.stage).toBe(3);
    expect(fs.readFileSync(path.join(result.dir, "README.md"), "utf8")).toContain("FORCE_TORCHRUN=1 NPROC_PER_NODE=2 llamafactory-cli train llamafactory.yaml");
    await expect(exportJob({ target: "llama-factory", run: daptRun, out: path.join(root, "jobs", "lf-fsdp"), hfModel: HF, gpus: 2, distributed: "fsdp" })).rejects.toThrow(ExportJobError);
  });

  it("conversations: stage sft over sharegpt (OpenAI flavour) records in LLaMA-Factory's order rules", async () => {
    const train = { method: "lora", model: STORIES_260K, data: [chatDataset], ctx: 64 };
    // stories260K has no chat template, so LLaMA-Factory's template must be named.
    await expect(exportJob({ target: "llama-factory", train, out: path.join(root, "jobs", "lf-chat-x"), hfModel: HF })).rejects.toThrow(ExportJobError);
    const result = await exportJob({ target: "llama-factory", train, out: path.join(root, "jobs", "lf-chat"), hfModel: HF, template: "llama3" });
    const config = readConfig(result);
    expect(unknownKeys(config, LLAMA_FACTORY.topLevel!)).toEqual([]);
    expect(config).toMatchObject({ stage: "sft", template: "llama3", cutoff_len: 64 });
    const info = JSON.parse(fs.readFileSync(path.join(result.dir, "data", "dataset_info.json"), "utf8")) as Record<string, Record<string, unknown>>;
    const entry = info[config.dataset as string]!;
    expect(entry.formatting).toBe("sharegpt");
    expect(unknownKeys(entry.tags as Record<string, unknown>, LLAMA_FACTORY.datasetInfoTags!)).toEqual([]);
    const tags = entry.tags as Record<string, string>;
    const messagesColumn = (entry.columns as Record<string, string>).messages!;
    const records = jsonl(path.join(result.dir, "data", entry.file_name as string));
    expect(records).toHaveLength(2);
    for (const r of records) expect(sharegptOrderOk(r[messagesColumn] as Array<Record<string, unknown>>, tags)).toBe(true);
  });
});

describe("export-job refusals", () => {
  it("names what cannot be handed over: a method the trainers lack, a GGUF without its Hugging Face id", async () => {
    await expect(exportJob({ target: "axolotl", train: { method: "bitfit", model: STORIES_260K, data: [TRAIN] }, out: path.join(root, "jobs", "x1"), hfModel: HF })).rejects.toThrow(/bitfit.*no equivalent/);
    await expect(exportJob({ target: "axolotl", run: loraRun, out: path.join(root, "jobs", "x2") })).rejects.toThrow(/--hf-model/);
    expect(fs.existsSync(path.join(root, "jobs", "x1"))).toBe(false);
  });
});
