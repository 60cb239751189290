// Named errors: each says what was expected, what was found, and what to do. Only the CLI turns them into exit codes.
import { getLang, type Bilingual } from "./i18n/index.js";

/** Base class of every error localtune raises on purpose (user errors, bad input, unsupported setups). */
export class LocaltuneError extends Error {
  /** Korean text of the same message, shown when the language is Korean. */
  readonly ko: string | undefined;
  constructor(message: string | Bilingual, options?: { cause?: unknown }) {
    const text = typeof message === "string" ? { en: message, ko: undefined } : message;
    super(text.en, options);
    this.name = new.target.name;
    this.ko = text.ko;
  }
  /** The message in the current language. */
  localized(): string {
    return getLang() === "ko" && this.ko ? this.ko : this.message;
  }
}

/** A file the user named does not exist or cannot be read. */
export class FileNotFoundError extends LocaltuneError {
  constructor(readonly path: string, what = "file") {
    super({
      en: `${what} not found: ${path}. Check the path (relative paths start from ${process.cwd()}).`,
      ko: `${what}을(를) 찾을 수 없습니다: ${path}. 경로를 확인하세요 (상대 경로의 기준: ${process.cwd()}).`,
    });
  }
}

/** A config or option value failed validation. */
export class InvalidConfigError extends LocaltuneError {}

/** A GGUF file is malformed: the message names the file, the field and the offset. */
export class GgufFormatError extends LocaltuneError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string | Bilingual,
  ) {
    const d = typeof detail === "string" ? { en: detail, ko: detail } : detail;
    super({
      en: `${file}: invalid GGUF (${field}): ${d.en}. The file is damaged or not a GGUF model; re-download or re-export it.`,
      ko: `${file}: 올바르지 않은 GGUF (${field}): ${d.ko}. 파일이 손상되었거나 GGUF 모델이 아닙니다. 다시 받거나 다시 내보내세요.`,
    });
  }
}

/** The model's architecture is not one localtune's engine implements. */
export class UnsupportedArchitectureError extends LocaltuneError {
  constructor(found: string, supported: readonly string[]) {
    super({
      en: `unsupported architecture "${found}": localtune's engine supports ${supported.join(", ")}. Use a model of one of these families.`,
      ko: `지원하지 않는 아키텍처 "${found}": localtune 엔진은 ${supported.join(", ")}을(를) 지원합니다. 이 계열의 모델을 사용하세요.`,
    });
  }
}

/** A tensor type the engine cannot compute with. */
export class UnsupportedTensorTypeError extends LocaltuneError {}

/** The work would need more memory than the machine has free; the message gives both numbers. */
export class InsufficientMemoryError extends LocaltuneError {
  constructor(
    readonly neededBytes: number,
    readonly freeBytes: number,
    what: string | Bilingual,
    advice: string | Bilingual,
  ) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(2);
    const en = (t: string | Bilingual) => (typeof t === "string" ? t : t.en);
    const ko = (t: string | Bilingual) => (typeof t === "string" ? t : t.ko);
    super({
      en: `${en(what)} needs about ${gib(neededBytes)} GiB but only ${gib(freeBytes)} GiB of memory is free. ${en(advice)}`,
      ko: `${ko(what)}에 약 ${gib(neededBytes)} GiB가 필요하지만 사용 가능한 메모리는 ${gib(freeBytes)} GiB입니다. ${ko(advice)}`,
    });
  }
}

/** The native ggml library does not match the layout this build of localtune was written against. */
export class NativeAbiError extends LocaltuneError {}

/** Tensor shapes or types that would make ggml abort: caught in TypeScript before the graph is built. */
export class ShapeError extends LocaltuneError {}

/** An input file for `data prepare` cannot be used (binary, empty, unreadable document, invalid record line). */
export class DataInputError extends LocaltuneError {
  constructor(
    readonly file: string,
    /** Machine-readable reason: binary, empty, unreadable, no-text, invalid-line, unsupported, unknown-shape. */
    readonly reason: string,
    text: { en: string; ko: string },
    /** 1-based line number for line-oriented inputs (JSONL, CSV). */
    readonly line?: number,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    super({ en: `${where}: ${text.en}`, ko: `${where}: ${text.ko}` });
  }
}

/** A dataset folder is missing files or holds something `data prepare` did not write. */
export class InvalidDatasetError extends LocaltuneError {}

/** An evaluation suite (JSONL) line is not valid: the message names the file, the line and the field. */
export class EvalSuiteError extends LocaltuneError {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super({
      en: `${file}:${line}: invalid evaluation item: ${detail}. Each line must be one JSON object of kind "qa", "cloze", "mc" or "judge" (see \`localtune eval --help\`).`,
      ko: `${file}:${line}: 올바르지 않은 평가 항목: ${detail}. 각 줄은 kind가 "qa", "cloze", "mc", "judge" 중 하나인 JSON 객체여야 합니다 (\`localtune eval --help\` 참고).`,
    });
  }
}

/** An LLM judge's output did not parse against its JSON schema, even though decoding was grammar-constrained. */
export class JudgeVerdictError extends LocaltuneError {
  constructor(readonly output: string, detail: string) {
    super({
      en: `the judge model's verdict is not valid JSON for its schema (${detail}); output was: ${JSON.stringify(output.slice(0, 200))}. Raise the judge's maxTokens or use a larger judge model.`,
      ko: `심판 모델의 판정이 스키마에 맞는 JSON이 아닙니다 (${detail}). 출력: ${JSON.stringify(output.slice(0, 200))}. 심판의 maxTokens를 늘리거나 더 큰 심판 모델을 사용하세요.`,
    });
  }
}

/** A results file given to the report writer does not match the report input schema. */
export class ReportInputError extends LocaltuneError {
  constructor(readonly file: string, detail: string) {
    super({
      en: `${file}: not a valid results file for the report: ${detail}. It must be JSON with "runs" (one entry per method) and "environment".`,
      ko: `${file}: 보고서용 결과 파일이 올바르지 않습니다: ${detail}. "runs"(방법마다 하나)와 "environment"를 가진 JSON이어야 합니다.`,
    });
  }
}

/** Content handed to the GGUF writer is inconsistent (bad name, shape, type or data size); nothing was written. */
export class GgufWriteError extends LocaltuneError {}

/** A line of a dataset file or RAG question set given to `rag index` / `rag eval` is not what the schema expects. */
export class RagInputError extends LocaltuneError {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super({
      en: `${file}:${line}: invalid line: ${detail}. Dataset files hold DatasetRecord JSON lines (\`localtune data prepare\`); question sets hold {"question", "gold"} lines (see \`localtune rag eval --help\`).`,
      ko: `${file}:${line}: 올바르지 않은 줄: ${detail}. 데이터셋 파일은 DatasetRecord JSON 줄(\`localtune data prepare\`), 질문 세트는 {"question", "gold"} 줄이어야 합니다 (\`localtune rag eval --help\` 참고).`,
    });
  }
}

/** A RAG index is missing or holds no chunks. */
export class RagIndexEmptyError extends LocaltuneError {
  constructor(readonly index: string, found: "missing" | "empty") {
    super(
      found === "missing"
        ? {
            en: `no RAG index at ${index}. Build one first: localtune rag index <dataset-dir | files...> --index ${index}`,
            ko: `${index}에 RAG 인덱스가 없습니다. 먼저 만드세요: localtune rag index <데이터셋-폴더 | 파일...> --index ${index}`,
          }
        : {
            en: `the RAG index at ${index} holds no chunks (its inputs had no text). Index documents with text: localtune rag index <files...> --index ${index}`,
            ko: `${index}의 RAG 인덱스에 청크가 없습니다 (입력에 텍스트가 없었습니다). 텍스트가 있는 문서로 다시 만드세요: localtune rag index <파일...> --index ${index}`,
          },
    );
  }
}

/** An index was built with other settings (analyzer, embedding model or its dimension) than the ones asked for now. */
export class RagIndexMismatchError extends LocaltuneError {
  constructor(readonly index: string, what: string, built: string, asked: string, fix: Bilingual) {
    super({
      en: `the RAG index at ${index} was built with ${what} ${built}, but ${asked} was given. ${fix.en}`,
      ko: `${index}의 RAG 인덱스는 ${what} ${built}(으)로 만들어졌는데 ${asked}이(가) 주어졌습니다. ${fix.ko}`,
    });
  }
}

/** The question alone does not fit the model's context window, so no source could be added. */
export class RagQuestionTooLongError extends LocaltuneError {
  constructor(readonly questionTokens: number, readonly contextTokens: number) {
    super({
      en: `the question is ${questionTokens} tokens but the context holds ${contextTokens} (with room for the answer). Shorten the question or raise --ctx.`,
      ko: `질문이 ${questionTokens} 토큰인데 컨텍스트는 (답변 공간을 빼고) ${contextTokens} 토큰입니다. 질문을 줄이거나 --ctx를 늘리세요.`,
    });
  }
}

/** A LoRA adapter file could not be applied to the model (wrong base model, not a LoRA GGUF, damaged). */
export class AdapterLoadError extends LocaltuneError {
  constructor(adapters: string, model: string, detail: string) {
    super({
      en: `could not apply the adapter ${adapters} to ${model}: ${detail}. Check that it is a GGUF LoRA adapter (general.type = adapter) made for this base model.`,
      ko: `어댑터 ${adapters}을(를) ${model}에 적용하지 못했습니다: ${detail}. 이 기본 모델용으로 만든 GGUF LoRA 어댑터(general.type = adapter)인지 확인하세요.`,
    });
  }
}

/** A prompt template names a variable that the prompt row does not give. */
export class TemplateVariableError extends LocaltuneError {
  constructor(readonly variable: string, template: string, row: string, available: readonly string[]) {
    super({
      en: `template "${template}" needs {{${variable}}} but prompt ${row} does not give it (it gives: ${available.join(", ") || "nothing"}). Add "${variable}" to that row or use a template without it.`,
      ko: `템플릿 "${template}"에 {{${variable}}}이(가) 필요하지만 프롬프트 ${row}에 없습니다 (있는 값: ${available.join(", ") || "없음"}). 그 행에 "${variable}"을(를) 넣거나 이 변수가 없는 템플릿을 쓰세요.`,
    });
  }
}

/** A prompts / variants / examples file has a bad line: the message names the file, the line and the problem. */
export class PromptFileError extends LocaltuneError {
  constructor(readonly file: string, readonly line: number, detail: string, fix: string, fixKo: string) {
    super({
      en: `${file}:${line}: ${detail}. ${fix}`,
      ko: `${file}:${line}: ${detail}. ${fixKo}`,
    });
  }
}

/** A prompt has more tokens than the context can hold (llama.cpp would silently drop its beginning). */
export class PromptTooLongError extends LocaltuneError {
  constructor(readonly promptTokens: number, readonly limit: number) {
    super({
      en: `the prompt is ${promptTokens} tokens but at most ${limit} fit in this context. Shorten the prompt (fewer few-shot examples, shorter context) or raise --ctx.`,
      ko: `프롬프트가 ${promptTokens} 토큰인데 이 컨텍스트에는 최대 ${limit} 토큰이 들어갑니다. 프롬프트를 줄이거나(퓨샷 예시 수, 내용 길이) --ctx를 늘리세요.`,
    });
  }
}

/** A vector method's adapter file (biases, scaling vectors) is damaged, of another method, or made for another base. */
export class AdapterFileError extends LocaltuneError {
  constructor(readonly file: string, detail: Bilingual) {
    super({
      en: `${file}: ${detail.en}. Use an adapter written by localtune for this base model (same architecture and shape), or train a new one.`,
      ko: `${file}: ${detail.ko}. 이 기본 모델(같은 아키텍처와 크기)용으로 localtune이 만든 어댑터를 쓰거나 새로 학습하세요.`,
    });
  }
}

/** A safetensors file is malformed: the message names the file and the field. */
export class SafetensorsFormatError extends LocaltuneError {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: { en: string; ko: string },
  ) {
    super({
      en: `${file}: invalid safetensors (${field}): ${detail.en}. The file is damaged or not a safetensors file; re-download or re-export it.`,
      ko: `${file}: 올바르지 않은 safetensors (${field}): ${detail.ko}. 파일이 손상되었거나 safetensors 파일이 아닙니다. 다시 받거나 다시 내보내세요.`,
    });
  }
}

/** An adapter (GGUF LoRA or PEFT folder) cannot be read or converted: bad config, unknown modules, missing tensors. */
export class AdapterFormatError extends LocaltuneError {
  constructor(readonly adapter: string, detail: { en: string; ko: string }) {
    super({ en: `${adapter}: ${detail.en}`, ko: `${adapter}: ${detail.ko}` });
  }
}

/** An adapter was made for another base model: the architecture or a tensor shape differs. */
export class AdapterMismatchError extends LocaltuneError {
  constructor(readonly adapter: string, readonly model: string, detail: { en: string; ko: string }) {
    super({
      en: `the adapter ${adapter} does not fit the base model ${model}: ${detail.en}. Use the base model the adapter was trained on.`,
      ko: `어댑터 ${adapter}이(가) 기본 모델 ${model}에 맞지 않습니다: ${detail.ko}. 어댑터를 학습할 때 쓴 기본 모델을 사용하세요.`,
    });
  }
}

/** The doctor's engine benchmark (calibration) failed: the child's reason and its last output. */
export class CalibrationFailedError extends LocaltuneError {
  constructor(readonly reason: string, readonly output: string) {
    super({
      en: `calibration failed: ${reason}. Times stay unknown; run \`localtune doctor --calibrate\` again, with --threads 1 if the machine is busy.\n${output}`,
      ko: `보정 실패: ${reason}. 시간은 알 수 없는 상태로 남습니다. 기기가 바쁘면 --threads 1로 \`localtune doctor --calibrate\`를 다시 실행하세요.\n${output}`,
    });
  }
}

/** Adapters that cannot run together in one generation path (e.g. a prompt-tuning adapter with a GGUF LoRA). */
export class AdapterCombinationError extends LocaltuneError {
  constructor(readonly adapters: readonly string[], detail: Bilingual) {
    super({
      en: `these adapters cannot be used together: ${adapters.join(", ")}. ${detail.en}`,
      ko: `이 어댑터들은 함께 쓸 수 없습니다: ${adapters.join(", ")}. ${detail.ko}`,
    });
  }
}

/** An output path is, holds, or lies inside one of the command's inputs (after following links): writing it could destroy the input. */
export class OutputOverlapsInputError extends LocaltuneError {
  constructor(
    readonly output: string,
    readonly input: string,
    /** same: the output is the input; contains: the output folder holds the input; inside: the output lies within the input folder. */
    readonly relation: "same" | "contains" | "inside",
    option = "--out",
  ) {
    const en = { same: "is the same file or folder as the input", contains: "is a folder that holds the input", inside: "lies inside the input folder" }[relation];
    const ko = { same: "입력과 같은 파일 또는 폴더입니다", contains: "입력을 담고 있는 폴더입니다", inside: "입력 폴더 안에 있습니다" }[relation];
    super({
      en: `${option} ${output} ${en} ${input} (after following links). localtune never writes over or deletes an input, with --force neither. Choose an ${option} outside every input.`,
      ko: `${option} ${output}은(는) ${ko}: ${input} (링크를 따라간 결과). localtune은 --force를 주어도 입력을 덮어쓰거나 지우지 않습니다. 모든 입력 밖의 ${option}을(를) 고르세요.`,
    });
  }
}

/** Another live process holds a lock (a second `train resume` of one run, a second `rag index` of one index). */
export class LockHeldError extends LocaltuneError {
  constructor(readonly lockFile: string, readonly pid: number, what: Bilingual, readonly host?: string) {
    const who = host ? `process ${pid} on ${host}` : `process ${pid}`;
    const whoKo = host ? `${host}의 프로세스 ${pid}` : `프로세스 ${pid}`;
    super({
      en: `${what.en} is in use by ${who} (lock ${lockFile}). Wait for it to finish, or stop it; a lock left by a process that no longer runs is taken over by itself.`,
      ko: `${what.ko}은(는) ${whoKo}이(가) 사용 중입니다 (잠금 ${lockFile}). 끝날 때까지 기다리거나 그 프로세스를 멈추세요. 더 이상 실행되지 않는 프로세스가 남긴 잠금은 자동으로 넘겨받습니다.`,
    });
  }
}

/** `train resume`: the model or data a run was started with changed, moved or disappeared since. */
export class RunInputsChangedError extends LocaltuneError {
  constructor(readonly runDir: string, readonly changes: readonly Bilingual[]) {
    super({
      en: `the run ${runDir} cannot be resumed: its inputs changed since it started:\n${changes.map((c) => `  - ${c.en}`).join("\n")}\nResuming on other files would mix two trainings. Put the original files back, or start a new run with \`localtune train <method> --out <new folder>\`.`,
      ko: `실행 ${runDir}을(를) 이어서 할 수 없습니다. 시작한 뒤로 입력이 바뀌었습니다:\n${changes.map((c) => `  - ${c.ko}`).join("\n")}\n다른 파일로 이어 학습하면 두 학습이 섞입니다. 원래 파일을 되돌려 놓거나 \`localtune train <방법> --out <새 폴더>\`로 새로 시작하세요.`,
    });
  }
}

/** A compute device was asked for that this process cannot give: another node-llama-cpp build is already loaded. */
export class DeviceConflictError extends LocaltuneError {
  constructor(readonly requested: string, readonly loaded: string) {
    super({
      en: `--device ${requested} was requested, but this process already runs node-llama-cpp's ${loaded} build (one build per process). Pass the same --device to every step, or run the step in its own process.`,
      ko: `--device ${requested}가 요청됐지만 이 프로세스는 이미 node-llama-cpp의 ${loaded} 빌드를 쓰고 있습니다 (프로세스당 빌드 하나). 모든 단계에 같은 --device를 쓰거나 그 단계를 별도 프로세스로 실행하세요.`,
    });
  }
}

/** The named compute device is not usable on this machine. */
export class DeviceUnavailableError extends LocaltuneError {
  constructor(readonly requested: string, found: string, advice: { en: string; ko: string }) {
    super({
      en: `--device ${requested}: no usable ${requested} device (found: ${found}). ${advice.en}`,
      ko: `--device ${requested}: 사용할 수 있는 ${requested} 장치가 없습니다 (찾은 장치: ${found}). ${advice.ko}`,
    });
  }
}

/** A training job cannot be handed to a cluster trainer (Axolotl, LLaMA-Factory) as asked: the message names the setting. */
export class ExportJobError extends LocaltuneError {}

/** A rung trained elsewhere (`ladder --add-rung name=path`) cannot be scored: the message names the rung and the path. */
export class ExternalRungError extends LocaltuneError {}

/** A computed result (perplexity, a score, a loss) came out NaN or infinite: a damaged model, never a number to print. */
export class NonFiniteResultError extends LocaltuneError {
  constructor(readonly what: string, readonly source: string, readonly value: number) {
    super({
      en: `${what} of ${source} came out as ${value}, not a finite number: the model's weights (or an adapter's) are damaged or overflow. Re-download or re-export the model; check it with \`localtune ppl\` on a short text.`,
      ko: `${source}의 ${what} 값이 유한한 수가 아닌 ${value}(으)로 나왔습니다: 모델(또는 어댑터)의 가중치가 손상되었거나 넘칩니다. 모델을 다시 받거나 다시 내보내고, 짧은 텍스트로 \`localtune ppl\`을 실행해 확인하세요.`,
    });
  }
}

/** --offline (or LOCALTUNE_OFFLINE=1) and the named model is not in the download cache. */
export class ModelNotCachedError extends LocaltuneError {
  constructor(readonly spec: string, readonly cacheDir: string, detail: string) {
    super({
      en: `${spec} is not in the model cache (${cacheDir}) and --offline forbids downloading it (${detail}). Run the command once online to download it, set LOCALTUNE_CACHE_DIR to the cache that holds it, or give a local GGUF path.`,
      ko: `${spec}이(가) 모델 캐시(${cacheDir})에 없고 --offline이라 내려받을 수 없습니다 (${detail}). 온라인에서 한 번 실행해 내려받거나, 모델이 있는 캐시를 LOCALTUNE_CACHE_DIR로 지정하거나, 로컬 GGUF 경로를 주세요.`,
    });
  }
}

/** An hf: URI or URL could not be resolved or downloaded: the message keeps node-llama-cpp's reason. */
export class ModelDownloadError extends LocaltuneError {
  constructor(readonly spec: string, readonly cacheDir: string, detail: string, options?: { cause?: unknown }) {
    super(
      {
        en: `could not get ${spec} (expected an hf:<user>/<repo>[:quant], hf:<user>/<repo>/<file>.gguf or an http(s) URL of a GGUF file): ${detail}. Check the name and the network (HF_ENDPOINT, HF_TOKEN for gated repositories); a partial download in ${cacheDir} resumes on the next run.`,
        ko: `${spec}을(를) 받지 못했습니다 (hf:<user>/<repo>[:quant], hf:<user>/<repo>/<file>.gguf 또는 GGUF 파일의 http(s) URL이어야 합니다): ${detail}. 이름과 네트워크(HF_ENDPOINT, 제한된 저장소는 HF_TOKEN)를 확인하세요. ${cacheDir}에 남은 부분 다운로드는 다음 실행 때 이어 받습니다.`,
      },
      options,
    );
  }
}

/** `localtune export ollama|lmstudio` cannot export what it was given: the message names the run or file and what to do. */
export class RuntimeExportError extends LocaltuneError {}

/** A Hugging Face model folder cannot be imported (`localtune models import`): the message names the folder, what is wrong and what to do. */
export class HfModelError extends LocaltuneError {
  constructor(readonly folder: string, detail: Bilingual) {
    super({ en: `${folder}: ${detail.en}`, ko: `${folder}: ${detail.ko}` });
  }
}
