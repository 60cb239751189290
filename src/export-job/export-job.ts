// `localtune export-job`: hands a training run (its run folder, or the flags `train <method>` takes) to a cluster
// trainer. Writes a job folder with the data in the trainer's own format, its config with the same method and
// hyper-parameters, a DeepSpeed/FSDP section for several GPUs, and a README (en/ko) with the commands to run there
// and to bring the result back. The folder is built beside its final place and renamed when complete.
import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../data/io.js";
import { InvalidConfigError } from "../errors.js";
import { loadLlamaModel } from "../native/llama-runtime.js";
import { resolveTrainConfig, type TrainConfig } from "../train/config.js";
import { RunFolder } from "../train/run-folder.js";
import { axolotlConfig, type TargetConfig } from "./config-axolotl.js";
import { llamaFactoryConfig } from "./config-llama-factory.js";
import { writeAxolotlDatasets, type WrittenDataset } from "./dataset-axolotl.js";
import { writeLlamaFactoryDatasets } from "./dataset-llama-factory.js";
import { checkDistributed, deepSpeedConfig, DEEPSPEED_FILE } from "./distributed.js";
import { readJobData, type JobData } from "./job-data.js";
import { resolveExportJobOptions, type ExportJobOptionsInput, type ExportTarget } from "./options.js";
import { evalBatchesNote, planJob, type JobNote, type JobPlan } from "./plan.js";
import { renderJobReadme } from "./readme.js";
import type { TokenCounter } from "./text-chunks.js";
import { toYaml } from "./yaml-emit.js";

export const JOB_MANIFEST = "localtune-job.json";

export interface ExportJobResult {
  dir: string;
  target: ExportTarget;
  /** The trainer config file, relative to dir. */
  configFile: string;
  datasets: WrittenDataset[];
  /** Every setting of the run the target has no equivalent for. */
  notes: JobNote[];
  plan: JobPlan;
}

function refuseExisting(out: string): void {
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new InvalidConfigError({
      en: `${out} already exists and is not an empty folder; export-job writes a new job folder. Choose another --out.`,
      ko: `${out}이(가) 이미 있고 빈 폴더가 아닙니다. export-job은 새 작업 폴더를 만듭니다. 다른 --out을 지정하세요.`,
    });
  }
}

/** Conversations whose messages alone pass --ctx tokens: localtune splits them over sequences, the trainers do not. */
function longConversationNote(target: ExportTarget, data: JobData, ctx: number, count: TokenCounter): JobNote | undefined {
  const long = [...data.train.chats, ...data.val.chats].filter((c) => c.messages.reduce((sum, m) => sum + count(m.content), 0) > ctx).length;
  if (long === 0) return undefined;
  return target === "axolotl"
    ? {
        option: "--ctx",
        value: String(ctx),
        en: `${long} conversation(s) are longer than ${ctx} tokens; localtune splits them over sequences, Axolotl drops samples over sequence_len. Raise sequence_len to keep them.`,
        ko: `대화 ${long}개가 ${ctx} 토큰보다 깁니다. localtune은 여러 시퀀스로 나누지만 Axolotl은 sequence_len을 넘는 샘플을 버립니다. 유지하려면 sequence_len을 늘리세요.`,
      }
    : {
        option: "--ctx",
        value: String(ctx),
        en: `${long} conversation(s) are longer than ${ctx} tokens; localtune splits them over sequences, LLaMA-Factory cuts them at cutoff_len. Raise cutoff_len to keep them whole.`,
        ko: `대화 ${long}개가 ${ctx} 토큰보다 깁니다. localtune은 여러 시퀀스로 나누지만 LLaMA-Factory는 cutoff_len에서 자릅니다. 온전히 두려면 cutoff_len을 늘리세요.`,
      };
}

export async function exportJob(input: ExportJobOptionsInput): Promise<ExportJobResult> {
  const options = resolveExportJobOptions(input);
  const config: TrainConfig = options.run !== undefined ? RunFolder.open(options.run).readConfig() : resolveTrainConfig({ ...options.train, out: options.train?.out ?? options.out });
  checkDistributed(options.target, options.distributed, options.gpus);
  const out = path.resolve(options.out);
  refuseExisting(out);
  const plan = planJob(config, options.hfModel);
  const data = readJobData(config);

  const tmp = `${out}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    // The base model's own tokenizer (vocabulary only, no weights) measures documents and conversations.
    const vocab = await loadLlamaModel(config.model, { gpu: "cpu", vocabOnly: true });
    let target: TargetConfig;
    let datasets: WrittenDataset[];
    const notes: JobNote[] = [...plan.notes];
    try {
      const count: TokenCounter = (text) => vocab.tokenize(text).length;
      const run = { gpus: options.gpus, distributed: options.distributed };
      if (options.target === "axolotl") {
        datasets = writeAxolotlDatasets(tmp, data, plan.ctx, count);
        target = axolotlConfig(plan, datasets, run);
      } else {
        const written = writeLlamaFactoryDatasets(tmp, data);
        datasets = written;
        target = llamaFactoryConfig(plan, written, run, options.template);
      }
      const long = longConversationNote(options.target, data, plan.ctx, count);
      if (long) notes.push(long);
    } finally {
      await vocab.dispose();
    }
    if (datasets.some((d) => d.split === "val") && plan.evalSteps !== null) notes.push(evalBatchesNote(config.evalBatches));
    notes.push(...target.notes);

    fs.writeFileSync(path.join(tmp, target.file), toYaml(target.config));
    if (options.gpus > 1 && options.distributed === "deepspeed") fs.writeFileSync(path.join(tmp, DEEPSPEED_FILE), JSON.stringify(deepSpeedConfig(plan.method), null, 2) + "\n");
    const origin = options.run !== undefined ? `run folder ${options.run}` : `localtune train ${config.method} flags`;
    fs.writeFileSync(
      path.join(tmp, "README.md"),
      renderJobReadme({ target: options.target, plan, configFile: target.file, datasets, notes, gpus: options.gpus, distributed: options.distributed, jobName: path.basename(out), model: config.model, data: config.data, origin }),
    );
    writeFileAtomic(
      path.join(tmp, JOB_MANIFEST),
      JSON.stringify({ target: options.target, createdAt: new Date().toISOString(), origin, gpus: options.gpus, distributed: options.distributed, hfModel: plan.hfModel, trainConfig: config, datasets, notes }, null, 2) + "\n",
    );
    if (fs.existsSync(out)) fs.rmdirSync(out); // an empty folder (refuseExisting allowed only that)
    fs.renameSync(tmp, out);
    return { dir: out, target: options.target, configFile: target.file, datasets, notes, plan };
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}
