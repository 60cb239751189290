// `localtune prompts run|templates`: batch prompt runs comparing templates and adapters side by side.
import type { Command } from "commander";
import { InvalidConfigError } from "../../errors.js";
import { getLang, msg } from "../../i18n/index.js";
import { engineAdapterList } from "../../methods/registry.js";
import { BUILTIN_TEMPLATE_NAMES, builtinTemplate, formatResultsTable, runPromptFile } from "../../prompt/index.js";
import { addModelOptions, addSamplingOptions, hostOptionsFrom, parseAdapter } from "../generation-options.js";
import { positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerPrompts(program: Command): void {
  const prompts = program
    .command("prompts")
    .description("run prompt templates over many inputs and compare them / 여러 입력에 프롬프트 템플릿을 실행해 비교합니다");

  const run = prompts
    .command("run")
    .description(
      "run every prompt x template x adapter; write results.jsonl and print a side-by-side table.\n" +
        'prompts.jsonl: one object a line, e.g. {"id": "q1", "question": "...", "context": "..."}; every string field is a {{variable}}.\n' +
        "모든 프롬프트 x 템플릿 x 어댑터를 실행하고 results.jsonl과 비교표를 만듭니다.",
    )
    .requiredOption("--prompts <file>", "prompts.jsonl / 프롬프트 파일")
    .option("-o, --out <file>", "results.jsonl to write (one row per prompt x variant x target)")
    .option(
      "--template <spec>",
      `a variant: built-in (${BUILTIN_TEMPLATE_NAMES.join(", ")}; add :ko or :en) or a template file with {{variables}} (repeatable). Default: each row's "prompt" field`,
      collect,
      [],
    )
    .option("--variants <file>", 'variants.jsonl: {"name", "template", "system"?, "fewShot"?, "example"?} per line')
    .option("--examples <file>", "few-shot examples: a dataset JSONL (chat records, {input, output} or {question, answer})")
    .option("--few-shot <k>", "examples drawn per prompt (seeded by --seed)", positiveInt("--few-shot"))
    .option("--system <text>", "system prompt for every variant / 모든 변형의 시스템 프롬프트")
    .option("--mode <mode>", "auto (chat when the model has a chat template), chat or completion", "auto")
    .option("--template-lang <lang>", "language of built-in templates without :ko/:en (default: message language)")
    .option("--no-base", "compare only the adapters, not the base model")
    .option("--json", "print the results as JSON instead of a table");
  addModelOptions(run, `adapter, repeatable: each is its own column beside the base model (GGUF/PEFT LoRA optionally @scale; ${engineAdapterList().en} on localtune's engine) / 비교할 어댑터`);
  const sampling = addSamplingOptions(run, 128);
  run.action(async (options) => {
    if (!["auto", "chat", "completion"].includes(options.mode)) {
      throw new InvalidConfigError({ en: `--mode must be auto, chat or completion, got "${options.mode}".`, ko: `--mode는 auto, chat, completion 중 하나여야 하지만 "${options.mode}"입니다.` });
    }
    const templateLang = options.templateLang ?? getLang();
    if (templateLang !== "ko" && templateLang !== "en") {
      throw new InvalidConfigError({ en: `--template-lang must be ko or en, got "${templateLang}".`, ko: `--template-lang은 ko 또는 en이어야 하지만 "${templateLang}"입니다.` });
    }
    const bar = options.json ? undefined : new ProgressBar({ label: "prompts", unit: "runs" });
    const run = await runPromptFile({
      ...hostOptionsFrom(options),
      model: options.model,
      prompts: options.prompts,
      ...(options.out !== undefined ? { out: options.out } : {}),
      templates: options.template,
      ...(options.variants !== undefined ? { variantsFile: options.variants } : {}),
      adapters: (options.adapter as string[]).map(parseAdapter),
      skipBase: options.base === false,
      ...(options.examples !== undefined ? { examples: options.examples } : {}),
      ...(options.fewShot !== undefined ? { fewShot: options.fewShot } : {}),
      ...(options.system !== undefined ? { system: options.system } : {}),
      mode: options.mode,
      templateLang,
      sampling: sampling(options),
      onResult: (_r, done, total) => bar?.update(done, total),
    });
    bar?.done();
    if (options.json) {
      console.log(JSON.stringify(run, null, 2));
      return;
    }
    if (run.examples && run.examples.skipped.length > 0) {
      console.error(
        msg(
          { en: "examples: {n} lines of {file} skipped: {detail}", ko: "예시: {file}에서 {n}줄을 건너뜀: {detail}" },
          { n: run.examples.skipped.length, file: run.examples.file, detail: run.examples.skipped.slice(0, 5).map((s) => `line ${s.line} (${s.reason})`).join(", ") },
        ),
      );
    }
    if (run.chatTemplateFromModel === false) {
      console.error(msg({ en: "note: the model has no chat template; chat mode used a plain layout.", ko: "참고: 모델에 대화 템플릿이 없어 단순 형식으로 대화 모드를 실행했습니다." }));
    }
    console.log(formatResultsTable(run.results));
    const tokens = run.results.reduce((s, r) => s + r.completionTokens, 0);
    console.error(
      msg(
        { en: "{n} runs ({mode} mode), {tokens} tokens generated, seed {seed}{out}", ko: "실행 {n}개 ({mode} 모드), 생성 토큰 {tokens}개, 시드 {seed}{out}" },
        { n: run.results.length, mode: run.mode, tokens, seed: run.results[0]?.seed ?? "-", out: options.out ? ` -> ${options.out}` : "" },
      ),
    );
  });

  prompts
    .command("templates")
    .description("show the built-in templates / 기본 템플릿 보기")
    .option("--template-lang <lang>", "ko or en (default: message language)")
    .action((options: { templateLang?: string }) => {
      const lang = options.templateLang === "ko" || options.templateLang === "en" ? options.templateLang : getLang();
      for (const name of BUILTIN_TEMPLATE_NAMES) {
        const t = builtinTemplate(name, lang)!;
        console.log(`== ${t.name}\n${t.template}\n-- example: ${t.example.replace(/\n/g, " / ")}\n`);
      }
    });
}
