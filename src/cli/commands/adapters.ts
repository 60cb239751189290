// `localtune adapters export|import|merge|info`: convert GGUF LoRA <-> Hugging Face PEFT, merge adapters into a base
// GGUF, and describe any adapter. Thin: options in, one call to src/adapters, results out.
import type { Command } from "commander";
import { describeAdapter, exportPeftAdapter, formatAdapterInfo, importPeftAdapter, mergeAdapters, MERGE_TYPES, type MergeTypeName } from "../../adapters/index.js";
import { msg } from "../../i18n/index.js";
import { parseAdapter } from "../generation-options.js";
import { finiteNumber } from "../options.js";
import { ProgressBar } from "../progress.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAdapters(program: Command): void {
  const adapters = program
    .command("adapters")
    .description("convert, merge and inspect LoRA adapters (GGUF and Hugging Face PEFT) / LoRA 어댑터 변환, 병합, 정보 보기");

  adapters
    .command("export")
    .description(
      "GGUF LoRA -> PEFT folder (adapter_model.safetensors + adapter_config.json) for Hugging Face transformers/peft\n" +
        "GGUF LoRA를 Hugging Face PEFT 폴더로 내보냅니다. llama의 q/k 행 순서는 Hugging Face 순서로 되돌립니다",
    )
    .requiredOption("-a, --adapter <gguf>", "GGUF LoRA adapter (e.g. <run>/adapter/adapter.gguf) / GGUF LoRA 어댑터")
    .requiredOption("-m, --model <gguf>", "the base GGUF it was trained on / 학습에 쓴 기본 모델")
    .requiredOption("-o, --out <dir>", "output folder / 출력 폴더")
    .option("--rslora", "write use_rslora with lora_alpha = alpha / sqrt(r) (same scale) / rsLoRA 형식으로 기록")
    .option("--base-model-name <id>", "base_model_name_or_path to record (default: from the GGUF metadata)")
    .option("--json", "print the result as JSON")
    .action(async (o: { adapter: string; model: string; out: string; rslora?: boolean; baseModelName?: string; json?: boolean }) => {
      const result = await exportPeftAdapter({ adapter: o.adapter, model: o.model, out: o.out, rslora: o.rslora === true, ...(o.baseModelName !== undefined ? { baseModelName: o.baseModelName } : {}) });
      if (o.json) return void console.log(JSON.stringify(result, null, 2));
      console.log(
        msg(
          {
            en: "PEFT adapter written to {dir}: {n} modules ({targets}), r {r}, lora_alpha {alpha}, {p} parameters; {perm} q/k lora_B un-permuted; base_model_name_or_path {base}",
            ko: "PEFT 어댑터를 {dir}에 썼습니다: 모듈 {n}개 ({targets}), r {r}, lora_alpha {alpha}, 파라미터 {p}개; q/k lora_B {perm}개의 행 순서 복원; base_model_name_or_path {base}",
          },
          { dir: result.dir, n: result.modules, targets: result.targetModules.length > 8 ? `${result.targetModules.length} names` : result.targetModules.join(", "), r: result.rank, alpha: result.loraAlpha, p: result.parameters, perm: result.permuted, base: result.baseModelName ?? "null" },
        ),
      );
    });

  adapters
    .command("import")
    .description(
      "PEFT LoRA folder -> GGUF LoRA for a base GGUF (loadable by llama.cpp, node-llama-cpp, Ollama, LM Studio)\n" +
        "PEFT LoRA 폴더를 기본 GGUF용 GGUF LoRA로 바꿉니다",
    )
    .requiredOption("-a, --adapter <dir>", "PEFT folder with adapter_config.json and adapter_model.safetensors / PEFT 폴더")
    .requiredOption("-m, --model <gguf>", "the base GGUF (same architecture and shapes as the adapter's base) / 기본 모델")
    .requiredOption("-o, --out <gguf>", "GGUF LoRA file to write / 출력 GGUF 파일")
    .option("--json", "print the result as JSON")
    .action(async (o: { adapter: string; model: string; out: string; json?: boolean }) => {
      const result = await importPeftAdapter(o);
      if (o.json) return void console.log(JSON.stringify(result, null, 2));
      console.log(
        msg(
          {
            en: "GGUF LoRA written to {out}: {n} modules, rank {r}, alpha {alpha}, {p} parameters; {perm} q/k lora_B permuted for llama.cpp; {fold} module scales folded into B",
            ko: "GGUF LoRA를 {out}에 썼습니다: 모듈 {n}개, 랭크 {r}, 알파 {alpha}, 파라미터 {p}개; llama.cpp용 q/k lora_B {perm}개 행 순서 변경; 배율 {fold}개를 B에 반영",
          },
          { out: result.out, n: result.modules, r: result.ranks.join(", "), alpha: result.alpha, p: result.parameters, perm: result.permuted, fold: result.folded },
        ),
      );
    });

  adapters
    .command("merge")
    .description(
      "bake LoRA adapters into the base: W' = W + scale * alpha / r * B A, written as a new GGUF model\n" +
        "LoRA 어댑터를 기본 모델에 합쳐 새 GGUF 모델로 씁니다",
    )
    .requiredOption("-m, --model <gguf>", "base GGUF / 기본 모델")
    .requiredOption("-a, --adapter <gguf[@scale]>", "GGUF LoRA adapter, optionally @scale (repeatable: all are merged) / 어댑터 (반복 가능)", collect, [])
    .requiredOption("-o, --out <gguf>", "merged GGUF to write / 출력 GGUF 파일")
    .option("--scale <s>", "scale for adapters given without @scale (default 1) / 배율", finiteNumber("--scale"))
    .option("--type <type>", `type of the merged weights: ${Object.keys(MERGE_TYPES).join(", ")} (default: each weight's type in the base; other tensors are copied unchanged)`)
    .option("--json", "print the result as JSON")
    .action(async (o: { model: string; adapter: string[]; out: string; scale?: number; type?: string; json?: boolean }) => {
      const scale = o.scale;
      const specs = o.adapter.map(parseAdapter).map((a) => ({ path: a.path, scale: a.scale ?? scale ?? 1 }));
      const bar = o.json ? undefined : new ProgressBar({ label: "merge", unit: "tensors" });
      const result = await mergeAdapters({
        model: o.model,
        adapters: specs,
        out: o.out,
        ...(o.type !== undefined ? { type: o.type.toLowerCase() as MergeTypeName } : {}),
        onProgress: (done, total) => bar?.update(done, total),
      });
      bar?.done();
      if (o.json) return void console.log(JSON.stringify(result, null, 2));
      console.log(msg({ en: "merged model written to {out}: {m} weights merged, {c} tensors copied", ko: "병합한 모델을 {out}에 썼습니다: 가중치 {m}개 병합, 텐서 {c}개 복사" }, { out: result.out, m: result.merged, c: result.copied }));
      for (const f of result.fallbacks) {
        console.error(msg({ en: "note: {t} written as {w} instead of {want}: {why}", ko: "참고: {t}은(는) {want} 대신 {w}(으)로 썼습니다: {why}" }, { t: f.tensor, w: f.written, want: f.wanted, why: f.reason }));
      }
    });

  adapters
    .command("info")
    .argument("<path>", "GGUF adapter file, PEFT folder, or a run's adapter folder")
    .description("what an adapter is: format, type, architecture, rank, alpha, targets, parameters / 어댑터 정보")
    .option("--json", "print the result as JSON")
    .action((target: string, o: { json?: boolean }) => {
      const info = describeAdapter(target);
      if (o.json) return void console.log(JSON.stringify(info, null, 2));
      for (const line of formatAdapterInfo(info)) console.log(line);
    });
}
