// `localtune export-job --to axolotl|llama-factory --run <run-folder> --out job/` (or the flags of `train <method>`
// instead of --run): writes a job folder for a GPU cluster trainer and lists the settings that did not carry over.
import type { Command } from "commander";
import { exportJob, ExportJobOptionsSchema, type ExportJobOptionsInput } from "../../export-job/index.js";
import { InvalidConfigError } from "../../errors.js";
import { getLang, msg } from "../../i18n/index.js";
import { findMethod } from "../../methods/registry.js";
import { addSchemaOptions } from "../schema-options.js";
import { addMethodOptions, addTrainOptions } from "../train-options.js";

/** Methods a cluster trainer can run; their own flags are offered for the no-run-folder form. */
const EXPORTABLE_METHODS = ["lora", "full"];

/** Help of the flags that describe a run when there is no run folder. */
const WITHOUT_RUN = { en: "without --run: ", ko: "--run 없이: " };

export function registerExportJob(program: Command): void {
  const command = program
    .command("export-job")
    .description(
      "Hand a training run to a GPU cluster trainer (Axolotl or LLaMA-Factory): data in its format, its config with the same hyper-parameters, DeepSpeed/FSDP for --gpus, and a README to run it and bring the result back.\n" +
        "학습 실행을 GPU 클러스터 학습기(Axolotl, LLaMA-Factory)로 넘깁니다: 그 형식의 데이터, 같은 하이퍼파라미터의 설정, --gpus용 DeepSpeed/FSDP, 실행하고 결과를 가져오는 README.",
    );
  const jobValues = addSchemaOptions(command, ExportJobOptionsSchema, {
    omit: ["train"],
    flags: { target: "--to <target>", out: "--out <dir>", run: "--run <dir>", hfModel: "--hf-model <id>" },
  });
  command.option("--method <name>", `without --run: the method, ${EXPORTABLE_METHODS.join(" or ")}, with the flags of \`train <method>\` / --run 없이: 방법과 train 옵션`);
  const trainValues = addTrainOptions(command, { omit: ["out", "exportType"], prefix: WITHOUT_RUN, allOptional: true });
  const methodValues = new Map(EXPORTABLE_METHODS.map((name) => [name, addMethodOptions(command, findMethod(name), WITHOUT_RUN)]));
  command.option("--json", "print the result as JSON / 결과를 JSON으로 출력");
  command.action(async (flags: Record<string, unknown>) => {
    const input: ExportJobOptionsInput = jobValues(flags);
    const methodName = flags.method as string | undefined;
    if (input.run === undefined && methodName !== undefined) {
      const method = findMethod(methodName);
      const methodOptions = methodValues.get(method.name)?.(flags) ?? {};
      // Whether the run is complete (--model, --data) is the export's own check, with the training config's schema.
      input.train = { ...trainValues(flags), method: method.name, methodOptions } as ExportJobOptionsInput["train"];
    } else if (input.run === undefined) {
      throw new InvalidConfigError({
        en: "give --run <run-folder>, or --method <lora|full> with --model and --data (the flags of `localtune train <method>`).",
        ko: "--run <실행 폴더>를 주거나, --method <lora|full>와 --model, --data(`localtune train <방법>`의 옵션)를 주세요.",
      });
    }
    const result = await exportJob(input);
    if (flags.json === true) return void console.log(JSON.stringify(result, null, 2));
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
