// `localtune ppl`: perplexity of a GGUF model on a text file, computed by localtune's engine.
import type { Command } from "commander";
import { measurePerplexity } from "../../engine/measure-perplexity.js";
import { msg } from "../../i18n/index.js";
import { MODEL_SPEC_HELP } from "../model-source-options.js";
import { positiveInt } from "../options.js";
import { ProgressBar } from "../progress.js";

export function registerPpl(program: Command): void {
  program
    .command("ppl")
    .description("perplexity of a model on a text file (lower is better) / 텍스트 파일에 대한 모델의 퍼플렉서티(낮을수록 좋음)")
    .requiredOption("--model <model>", MODEL_SPEC_HELP)
    .requiredOption("--file <text>", "UTF-8 text file to score")
    .option("--ctx <n>", "window length in tokens (default: min(512, training context))", positiveInt("--ctx"))
    .option("--stride <n>", "tokens between window starts (default: ctx, disjoint windows); smaller gives each token more context", positiveInt("--stride"))
    .option("--threads <n>", "CPU threads (default: all cores)", positiveInt("--threads"))
    .option("--batch <n>", "windows evaluated together (default 4)", positiveInt("--batch"))
    .option("--json", "print the result as JSON")
    .action(async (options: { model: string; file: string; ctx?: number; stride?: number; threads?: number; batch?: number; json?: boolean }) => {
      const bar = options.json ? undefined : new ProgressBar({ label: "ppl", unit: "tok" });
      const result = await measurePerplexity({ ...options, batchWindows: options.batch, onProgress: (done, total) => bar?.update(done, total) });
      bar?.done();
      if (options.json) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      console.log(
        msg(
          {
            en: "perplexity {ppl} (mean NLL {nll} nats) over {scored} tokens in {windows} windows of {ctx} (stride {stride})\nforward {tps} tokens/s on {backend} with {threads} threads ({seconds} s)",
            ko: "퍼플렉서티 {ppl} (평균 NLL {nll} nats), 토큰 {scored}개, 창 {windows}개 (길이 {ctx}, 간격 {stride})\n순전파 {tps} 토큰/초, {backend}, 스레드 {threads}개 ({seconds}초)",
          },
          {
            ppl: result.perplexity.toFixed(4),
            nll: result.meanNll.toFixed(4),
            scored: result.scoredTokens,
            windows: result.windows,
            ctx: result.ctx,
            stride: result.stride,
            tps: result.tokensPerSecond.toFixed(0),
            backend: result.backend,
            threads: result.threads,
            seconds: result.seconds.toFixed(2),
          },
        ),
      );
    });
}
