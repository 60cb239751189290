// `localtune export-job --to axolotl|llama-factory --run <run-folder> --out job/` (or the flags of `train <method>`
// instead of --run): writes a job folder for a GPU cluster trainer and lists the settings that did not carry over.
import type { Command } from "commander";
import { exportJob, EXPORT_TARGETS, type ExportJobOptionsInput, type ExportTarget } from "../../export-job/index.js";
import { InvalidConfigError } from "../../errors.js";
import { getLang, msg } from "../../i18n/index.js";
import { findMethod } from "../../methods/registry.js";
import { finiteNumber, positiveInt } from "../options.js";

/** Methods a cluster trainer can run; their own flags are offered for the no-run-folder form. */
const EXPORTABLE_METHODS = ["lora", "full"];

interface ExportJobFlags {
  to: string;
  run?: string;
  out: string;
  gpus: number;
  distributed: string;
  hfModel?: string;
  template?: string;
  method?: string;
  model?: string;
  data?: string[];
  val?: string[];
  json?: boolean;
  [key: string]: unknown;
}

const nonNegativeInt = (name: string) => (value: string) => (value === "0" ? 0 : positiveInt(name)(value));

/** Training flags as `train <method>` spells them, mapped to TrainConfig keys. */
const TRAIN_FLAGS = ["steps", "epochs", "lr", "schedule", "warmup", "ctx", "batch", "gradAccum", "checkpointActivations", "seed", "weightDecay", "maxGradNorm", "evalEvery", "earlyStop", "saveEvery", "keepCheckpoints", "threads", "kernelLayouts"];

function optionKey(flags: string): string {
  const long = /--([\w-]+)/.exec(flags)?.[1] ?? flags;
  return long.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

export function registerExportJob(program: Command): void {
  const command = program
    .command("export-job")
    .description(
      "Hand a training run to a GPU cluster trainer (Axolotl or LLaMA-Factory): data in its format, its config with the same hyper-parameters, DeepSpeed/FSDP for --gpus, and a README to run it and bring the result back.\n" +
        "학습 실행을 GPU 클러스터 학습기(Axolotl, LLaMA-Factory)로 넘깁니다: 그 형식의 데이터, 같은 하이퍼파라미터의 설정, --gpus용 DeepSpeed/FSDP, 실행하고 결과를 가져오는 README.",
    )
    .requiredOption("--to <target>", `target trainer: ${EXPORT_TARGETS.join(" or ")} / 대상 학습기`)
    .requiredOption("--out <dir>", "job folder to create / 만들 작업 폴더")
    .option("--run <dir>", "run folder whose config is the job (from `localtune train`) / 작업으로 넘길 실행 폴더")
    .option("--gpus <n>", "GPUs the job runs on (default 1) / 사용할 GPU 수", positiveInt("--gpus"), 1)
    .option("--distributed <how>", "deepspeed or fsdp (axolotl only), for --gpus above 1 (default deepspeed) / 여러 GPU 방식", "deepspeed")
    .option("--hf-model <id>", "Hugging Face id of the base model (default: from the GGUF's general.source.repo_url) / 기반 모델의 Hugging Face id")
    .option("--template <name>", "LLaMA-Factory chat template for conversations (default: recognised from the GGUF) / LLaMA-Factory 채팅 템플릿 이름")
    .option("--method <name>", `without --run: the method, ${EXPORTABLE_METHODS.join(" or ")}, with the flags of \`train <method>\` / --run 없이: 방법과 train 옵션`)
    .option("--model <gguf>", "without --run: base model (GGUF)")
    .option("--data <paths...>", "without --run: training data")
    .option("--val <paths...>", "without --run: validation data")
    .option("--steps <n>", "without --run: optimizer steps", positiveInt("--steps"))
    .option("--epochs <n>", "without --run: epochs when --steps is absent", finiteNumber("--epochs"))
    .option("--lr <rate>", "without --run: peak learning rate", finiteNumber("--lr"))
    .option("--schedule <name>", "without --run: constant, linear or cosine")
    .option("--warmup <steps>", "without --run: warmup steps", nonNegativeInt("--warmup"))
    .option("--ctx <n>", "without --run: tokens per sequence", positiveInt("--ctx"))
    .option("--batch <n>", "without --run: sequences per micro-batch", positiveInt("--batch"))
    .option("--grad-accum <n>", "without --run: micro-batches per step", positiveInt("--grad-accum"))
    .option("--checkpoint-activations", "without --run: gradient checkpointing")
    .option("--seed <n>", "without --run: seed", nonNegativeInt("--seed"))
    .option("--weight-decay <wd>", "without --run: AdamW weight decay", finiteNumber("--weight-decay"))
    .option("--max-grad-norm <n>", "without --run: gradient clipping", finiteNumber("--max-grad-norm"))
    .option("--eval-every <steps>", "without --run: steps between evaluations", nonNegativeInt("--eval-every"))
    .option("--early-stop <evals>", "without --run: early-stopping patience", nonNegativeInt("--early-stop"))
    .option("--save-every <steps>", "without --run: steps between checkpoints", nonNegativeInt("--save-every"))
    .option("--keep-checkpoints <n>", "without --run: checkpoints kept", positiveInt("--keep-checkpoints"))
    .option("--threads <n>", "without --run: CPU threads (listed: the cluster has no such setting)", positiveInt("--threads"))
    .option("--kernel-layouts", "without --run: CPU kernel layouts (listed: the cluster has no such setting)")
    .option("--json", "print the result as JSON");
  for (const option of EXPORTABLE_METHODS.flatMap((name) => findMethod(name).cliOptions)) {
    if (option.parse) command.option(option.flags, `without --run: ${option.description}`, option.parse);
    else command.option(option.flags, `without --run: ${option.description}`);
  }
  command.action(async (flags: ExportJobFlags) => {
    if (!(EXPORT_TARGETS as readonly string[]).includes(flags.to)) {
      throw new InvalidConfigError({ en: `--to must be ${EXPORT_TARGETS.join(" or ")}, got "${flags.to}".`, ko: `--to에는 ${EXPORT_TARGETS.join(" 또는 ")}가 필요하지만 "${flags.to}"이(가) 주어졌습니다.` });
    }
    const input: ExportJobOptionsInput = {
      target: flags.to as ExportTarget,
      out: flags.out,
      gpus: flags.gpus,
      distributed: flags.distributed as "deepspeed" | "fsdp",
      ...(flags.hfModel !== undefined ? { hfModel: flags.hfModel } : {}),
      ...(flags.template !== undefined ? { template: flags.template } : {}),
    };
    if (flags.run !== undefined) input.run = flags.run;
    else if (flags.method !== undefined) {
      const method = findMethod(flags.method);
      const methodOptions: Record<string, unknown> = {};
      for (const option of method.cliOptions) if (flags[optionKey(option.flags)] !== undefined) methodOptions[option.key] = flags[optionKey(option.flags)];
      const train: Record<string, unknown> = { method: method.name, methodOptions, model: flags.model, data: flags.data, valData: flags.val ?? [] };
      for (const key of TRAIN_FLAGS) if (flags[key] !== undefined) train[key] = flags[key];
      input.train = train as ExportJobOptionsInput["train"];
    } else {
      throw new InvalidConfigError({
        en: "give --run <run-folder>, or --method <lora|full> with --model and --data (the flags of `localtune train <method>`).",
        ko: "--run <실행 폴더>를 주거나, --method <lora|full>와 --model, --data(`localtune train <방법>`의 옵션)를 주세요.",
      });
    }
    const result = await exportJob(input);
    if (flags.json) return void console.log(JSON.stringify(result, null, 2));
    const lang = getLang();
    console.log(msg({ en: "job folder written: {dir} ({config}, {n} dataset files)", ko: "작업 폴더를 썼습니다: {dir} ({config}, 데이터 파일 {n}개)" }, { dir: result.dir, config: result.configFile, n: result.datasets.length }));
    if (result.notes.length === 0) console.log(msg({ en: "every setting of the run carried over.", ko: "실행의 모든 설정이 옮겨졌습니다." }));
    else {
      console.log(msg({ en: "settings with no equivalent in {target} (also in README.md):", ko: "{target}에 대응하는 것이 없는 설정 (README.md에도 있음):" }, { target: result.target }));
      for (const note of result.notes) console.log(`  ${note.option} = ${note.value}: ${lang === "ko" ? note.ko : note.en}`);
    }
    console.log(msg({ en: "next: see {readme}", ko: "다음 단계: {readme} 참고" }, { readme: `${result.dir}/README.md` }));
  });
}
