// The job folder's README.md, in English and Korean: what is in the folder, the exact commands to train on the GPU
// machine, how to bring the result back into a localtune ladder, and every setting that did not carry over.
import type { WrittenDataset } from "./dataset-axolotl.js";
import { DEEPSPEED_FILE } from "./distributed.js";
import type { ExportTarget } from "./options.js";
import type { JobNote, JobPlan } from "./plan.js";

export interface ReadmeInput {
  target: ExportTarget;
  plan: JobPlan;
  configFile: string;
  datasets: readonly WrittenDataset[];
  notes: readonly JobNote[];
  gpus: number;
  distributed: "deepspeed" | "fsdp";
  /** The job folder's name, as the commands refer to it. */
  jobName: string;
  /** Base GGUF and training data on this PC, for the ladder command. */
  model: string;
  data: readonly string[];
  /** Where the job came from ("run folder runs/lora-r16", "train flags"). */
  origin: string;
}

const TARGET_NAME: Record<ExportTarget, string> = { axolotl: "Axolotl", "llama-factory": "LLaMA-Factory" };

/** The install and train commands on the GPU machine. */
function trainCommands(input: ReadmeInput): string[] {
  const { configFile, gpus } = input;
  if (input.target === "axolotl") {
    return [
      'pip install "axolotl[deepspeed]"',
      gpus > 1 ? `accelerate launch --num_processes ${gpus} -m axolotl.cli.train ${configFile}` : `accelerate launch -m axolotl.cli.train ${configFile}`,
    ];
  }
  return [
    'pip install "llamafactory[torch,metrics,deepspeed]"',
    gpus > 1 ? `FORCE_TORCHRUN=1 NPROC_PER_NODE=${gpus} llamafactory-cli train ${configFile}` : `llamafactory-cli train ${configFile}`,
  ];
}

/** The commands that bring the trained result back and score it beside the local rungs. */
function backCommands(input: ReadmeInput): string[] {
  const data = input.data.map((d) => JSON.stringify(d)).join(" ");
  const ladder = `localtune ladder --model ${JSON.stringify(input.model)} --data ${data} --eval <suite.jsonl> --ppl <heldout.txt>`;
  if (input.plan.method === "lora") {
    return [`scp -r <gpu-host>:${input.jobName}/output ./${input.jobName}-adapter`, `${ladder} --add-rung cluster-lora=./${input.jobName}-adapter`];
  }
  return [
    `scp -r <gpu-host>:${input.jobName}/output ./${input.jobName}-model`,
    `python llama.cpp/convert_hf_to_gguf.py ./${input.jobName}-model --outfile ${input.jobName}.gguf --outtype f16`,
    `${ladder} --add-rung cluster-dapt=${input.jobName}.gguf`,
  ];
}

const code = (lines: readonly string[]) => ["```sh", ...lines, "```"].join("\n");

export function renderJobReadme(input: ReadmeInput): string {
  const { plan } = input;
  const name = TARGET_NAME[input.target];
  const method = plan.lora ? `LoRA r=${plan.lora.rank}, alpha ${plan.lora.alpha}${plan.lora.rslora ? " (rsLoRA)" : ""} on ${plan.lora.targetModules.join(", ")}` : "full weights (DAPT)";
  const methodKo = plan.lora ? `LoRA r=${plan.lora.rank}, alpha ${plan.lora.alpha}${plan.lora.rslora ? " (rsLoRA)" : ""}, 대상 ${plan.lora.targetModules.join(", ")}` : "전체 가중치 (DAPT)";
  const length = plan.steps !== undefined ? `${plan.steps} steps` : `${plan.epochs} epoch(s)`;
  const lengthKo = plan.steps !== undefined ? `${plan.steps} 스텝` : `${plan.epochs} 에폭`;
  const files = [
    `- \`${input.configFile}\`: ${name} config`,
    ...input.datasets.map((d) => `- \`${d.file}\`: ${d.split} ${d.kind === "text" ? "text" : "conversations"}, ${d.records} records`),
    ...(input.target === "llama-factory" ? ["- `data/dataset_info.json`: the datasets' entries"] : []),
    ...(input.gpus > 1 && input.distributed === "deepspeed" ? [`- \`${DEEPSPEED_FILE}\`: DeepSpeed ZeRO-${plan.method === "full" ? 3 : 2}`] : []),
    "- `localtune-job.json`: the run's resolved config and the settings that did not carry over",
  ];
  const filesKo = [
    `- \`${input.configFile}\`: ${name} 설정`,
    ...input.datasets.map((d) => `- \`${d.file}\`: ${d.split === "train" ? "학습" : "검증"} ${d.kind === "text" ? "텍스트" : "대화"}, 레코드 ${d.records}개`),
    ...(input.target === "llama-factory" ? ["- `data/dataset_info.json`: 데이터셋 등록 정보"] : []),
    ...(input.gpus > 1 && input.distributed === "deepspeed" ? [`- \`${DEEPSPEED_FILE}\`: DeepSpeed ZeRO-${plan.method === "full" ? 3 : 2}`] : []),
    "- `localtune-job.json`: 실행의 확정 설정과 옮겨지지 않은 설정",
  ];
  const notes = input.notes.length > 0 ? input.notes.map((n) => `- \`${n.option}\` = ${n.value}: ${n.en}`) : ["- none"];
  const notesKo = input.notes.length > 0 ? input.notes.map((n) => `- \`${n.option}\` = ${n.value}: ${n.ko}`) : ["- 없음"];
  return [
    `# localtune job: ${plan.method === "lora" ? "LoRA" : "DAPT"} of ${plan.hfModel} with ${name}`,
    "",
    `From ${input.origin}. / 출처: ${input.origin}.`,
    "",
    "## English",
    "",
    `${method}; learning rate ${plan.lr} (${plan.schedule}, ${plan.warmup} warmup steps), ${length}, ${plan.ctx} tokens per sequence, micro-batch ${plan.microBatch} x ${plan.gradAccum} accumulation x ${input.gpus} GPU(s), seed ${plan.seed}, bf16.`,
    "",
    "### In this folder",
    ...files,
    "",
    "### Train on the GPU machine",
    "Copy this folder there, then from inside it:",
    code(trainCommands(input)),
    "",
    "### Bring the result back",
    plan.method === "lora"
      ? "The trainer writes a PEFT adapter (adapter_model.safetensors + adapter_config.json) to output/. Score it beside your local rungs:"
      : "The trainer writes a Hugging Face model to output/. Convert it to GGUF with llama.cpp, then score it beside your local rungs:",
    code(backCommands(input)),
    "",
    "### Settings that did not carry over",
    ...notes,
    "",
    "## 한국어",
    "",
    `${methodKo}; 학습률 ${plan.lr} (${plan.schedule}, 워밍업 ${plan.warmup} 스텝), ${lengthKo}, 시퀀스당 ${plan.ctx} 토큰, 마이크로배치 ${plan.microBatch} x 누적 ${plan.gradAccum} x GPU ${input.gpus}개, 시드 ${plan.seed}, bf16.`,
    "",
    "### 이 폴더에 있는 것",
    ...filesKo,
    "",
    "### GPU 머신에서 학습",
    "이 폴더를 GPU 머신에 복사한 뒤 폴더 안에서:",
    code(trainCommands(input)),
    "",
    "### 결과 가져오기",
    plan.method === "lora"
      ? "학습기는 output/에 PEFT 어댑터(adapter_model.safetensors + adapter_config.json)를 씁니다. 로컬 단계들과 나란히 평가하세요:"
      : "학습기는 output/에 Hugging Face 모델을 씁니다. llama.cpp로 GGUF로 바꾼 뒤 로컬 단계들과 나란히 평가하세요:",
    code(backCommands(input)),
    "",
    "### 옮겨지지 않은 설정",
    ...notesKo,
    "",
  ].join("\n");
}
