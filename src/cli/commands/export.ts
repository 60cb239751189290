// `localtune export ollama|lmstudio <run-or-model> --out DIR`: a quantized GGUF where Ollama or LM Studio runs it
// (logic in src/export/).
import type { Command } from "commander";
import { EXPORT_QUANTS, exportForRuntime, type RuntimeTarget, type RuntimeExportResult } from "../../export/index.js";
import { msg } from "../../i18n/index.js";
import { ProgressBar } from "../progress.js";

interface ExportFlags {
  out: string;
  quant?: string;
  name?: string;
  publisher?: string;
  create?: boolean;
  keepAdapter?: boolean;
  json?: boolean;
}

const QUANT_HELP = `weight types, as llama.cpp's presets: ${Object.keys(EXPORT_QUANTS).join(", ")} (default q4_k_m) / 가중치 양자화 형식`;
const SOURCE_HELP = "a run folder from `localtune train` (LoRA is merged into its base), or a model: GGUF path, hf: name or https URL / 학습 실행 폴더 또는 모델";

export function registerExport(program: Command): void {
  const exporter = program.command("export").description("write a quantized GGUF for Ollama or LM Studio / Ollama 또는 LM Studio용 양자화 GGUF 내보내기");
  exporter
    .command("ollama")
    .description("model.gguf + Modelfile (chat template and stop tokens); runs `ollama create` when ollama is on PATH / Modelfile과 함께 내보내고 ollama가 있으면 등록까지")
    .argument("<source>", SOURCE_HELP)
    .requiredOption("-o, --out <dir>", "folder to write / 출력 폴더")
    .option("--quant <type>", QUANT_HELP)
    .option("--name <name>", "Ollama model name (default: the run's or file's name) / Ollama 모델 이름")
    .option("--no-create", "only write the files; do not run `ollama create` / 파일만 쓰고 ollama create는 실행하지 않음")
    .option("--keep-adapter", "LoRA runs: quantize only the base and keep adapter.gguf beside it (ADAPTER line) / LoRA 어댑터를 병합하지 않고 ADAPTER로 따로 둠")
    .option("--json", "print the result as JSON")
    .action((source: string, flags: ExportFlags) => run("ollama", source, flags));
  exporter
    .command("lmstudio")
    .description("LM Studio's models-folder layout <publisher>/<model>/<model>-<QUANT>.gguf / LM Studio 모델 폴더 구조로 내보내기")
    .argument("<source>", SOURCE_HELP)
    .requiredOption("-o, --out <dir>", "folder to write (e.g. ~/.lmstudio/models) / 출력 폴더 (예: ~/.lmstudio/models)")
    .option("--quant <type>", QUANT_HELP)
    .option("--name <name>", "model folder name (default: the run's or file's name) / 모델 폴더 이름")
    .option("--publisher <name>", "publisher folder (default localtune) / 게시자 폴더")
    .option("--json", "print the result as JSON")
    .action((source: string, flags: ExportFlags) => run("lmstudio", source, flags));
}

async function run(target: RuntimeTarget, source: string, flags: ExportFlags): Promise<void> {
  const bar = flags.json ? undefined : new ProgressBar({ label: "export", unit: "tensors" });
  const result = await exportForRuntime(
    {
      target,
      source,
      out: flags.out,
      ...(flags.quant !== undefined ? { quant: flags.quant.toLowerCase() as keyof typeof EXPORT_QUANTS } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.publisher !== undefined ? { publisher: flags.publisher } : {}),
      create: flags.create !== false,
      keepAdapter: flags.keepAdapter === true,
    },
    (done, total) => bar?.update(done, total),
  );
  bar?.done();
  if (flags.json) return void console.log(JSON.stringify(result, null, 2));
  printResult(result);
}

function printResult(r: RuntimeExportResult): void {
  const how = r.source.kind === "run" && r.source.merged ? " (LoRA merged into its base)" : r.source.kind === "run" && r.source.adapter ? " (its base; the LoRA stays adapter.gguf)" : "";
  const what = r.source.kind === "run" ? `${r.source.method} run ${r.source.dir}${how}` : r.source.file;
  const types = Object.entries(r.types).map(([t, n]) => `${n} ${t}`).join(", ");
  console.log(msg({ en: "{quant} model written to {file} from {what}: {types}", ko: "{what}에서 {quant} 모델을 {file}에 썼습니다: {types}" }, { quant: r.quant, file: r.modelFile, what, types }));
  for (const f of r.fallbacks) {
    console.error(msg({ en: "note: {t} written as {w} instead of {want}: {why}", ko: "참고: {t}은(는) {want} 대신 {w}(으)로 썼습니다: {why}" }, { t: f.tensor, w: f.written, want: f.wanted, why: f.reason }));
  }
  if (r.modelfile) {
    console.log(
      r.modelfile.chatLayout
        ? msg({ en: "Modelfile: {file} (chat layout {layout}, with its stop tokens)", ko: "Modelfile: {file} (대화 형식 {layout}, 정지 토큰 포함)" }, { file: r.modelfile.file, layout: r.modelfile.chatLayout })
        : msg({ en: "Modelfile: {file} (no chat template: prompts go to the model as they are)", ko: "Modelfile: {file} (대화 템플릿 없음: 프롬프트를 그대로 보냄)" }, { file: r.modelfile.file }),
    );
  }
  const command = r.command.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ");
  if (r.created) {
    console.log(msg({ en: "ran: {cmd}\n{out}then: ollama run {name}", ko: "실행함: {cmd}\n{out}이제: ollama run {name}" }, { cmd: command, out: r.created.output, name: r.command[2]! }));
  } else {
    console.log(msg({ en: "to register it, run: {cmd}", ko: "등록하려면 실행하세요: {cmd}" }, { cmd: command }));
  }
}
