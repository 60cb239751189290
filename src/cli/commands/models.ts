// `localtune models import <folder> --out model.gguf`: a Hugging Face model folder to one GGUF, without Python
// (logic in src/models/).
import type { Command } from "commander";
import { ARCHITECTURES } from "../../arch/registry.js";
import { msg } from "../../i18n/index.js";
import { IMPORT_TYPES, importHfModel, type ImportHfModelResult, type ImportTypeName } from "../../models/index.js";
import { ProgressBar } from "../progress.js";

interface ImportFlags {
  out: string;
  type?: string;
  name?: string;
  json?: boolean;
}

export function registerModels(program: Command): void {
  const models = program.command("models").description("bring models in from other formats / 다른 형식의 모델 가져오기");
  const families = ARCHITECTURES.map((a) => `${a.hf.architectures.join(", ")} -> ${a.name}`).join("; ");
  models
    .command("import")
    .description(
      "Hugging Face model folder -> GGUF for llama.cpp, node-llama-cpp and localtune (no Python needed)\n" +
        "Reads config.json, model.safetensors or its shards (model.safetensors.index.json), tokenizer.json and the chat template\n" +
        "of tokenizer_config.json; writes the vocabulary llama.cpp tokenizes with (byte-level BPE with merges and pre-tokenizer,\n" +
        "or SentencePiece-style with scores and byte fallback), the hyper-parameters and every weight, as convert_hf_to_gguf.py does.\n" +
        `Architectures (config.json "architectures"): ${families}.\n` +
        "Hugging Face 모델 폴더(config.json, safetensors, tokenizer.json)를 Python 없이 GGUF 하나로 바꿉니다",
    )
    .argument("<folder>", "the model folder as downloaded from the Hugging Face Hub / Hugging Face Hub에서 받은 모델 폴더")
    .requiredOption("-o, --out <gguf>", "GGUF file to write (written to a temporary file, then renamed) / 출력 GGUF 파일")
    .option("--type <type>", `type of the 2-D weights: ${Object.keys(IMPORT_TYPES).join(", ")} (default f16; norms and biases stay f32) / 가중치 형식`)
    .option("--name <name>", "general.name to record (default: the folder's name) / 모델 이름")
    .option("--json", "print the result as JSON")
    .action(async (folder: string, flags: ImportFlags) => {
      const bar = flags.json ? undefined : new ProgressBar({ label: "import", unit: "tensors" });
      const result = await importHfModel({
        folder,
        out: flags.out,
        ...(flags.type !== undefined ? { type: flags.type.toLowerCase() as ImportTypeName } : {}),
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        onProgress: (done, total) => bar?.update(done, total),
      });
      bar?.done();
      if (flags.json) return void console.log(JSON.stringify(result, null, 2));
      printResult(result);
    });
}

function printResult(r: ImportHfModelResult): void {
  const vocab = r.vocab.model === "gpt2" ? `byte-level BPE, pre ${r.vocab.pre}, ${r.vocab.merges} merges` : "SentencePiece-style with scores";
  console.log(
    msg(
      {
        en: "{out}: {arch} ({hf}), {n} tensors, {p} parameters, {type} weights{tied}; vocabulary {tokens} tokens ({vocab}){tmpl}",
        ko: "{out}: {arch} ({hf}), 텐서 {n}개, 파라미터 {p}개, {type} 가중치{tied}; 어휘 {tokens}개 ({vocab}){tmpl}",
      },
      {
        out: r.out,
        arch: r.arch,
        hf: r.hfArchitecture,
        n: r.tensors,
        p: r.parameters,
        type: r.type,
        tied: r.tiedEmbeddings ? msg({ en: ", output tied to the embeddings", ko: ", 출력층은 임베딩 공유" }) : "",
        tokens: r.vocab.tokens,
        vocab,
        tmpl: r.vocab.chatTemplate ? msg({ en: ", with its chat template", ko: ", 대화 템플릿 포함" }) : "",
      },
    ),
  );
  if (r.vocab.dropped.length > 0) {
    const list = r.vocab.dropped.slice(0, 5).join(", ") + (r.vocab.dropped.length > 5 ? ", ..." : "");
    console.error(msg({ en: "note: {n} tokenizer entries have ids beyond config.json's vocab_size and were left out: {list}", ko: "참고: 토크나이저 항목 {n}개는 id가 config.json의 vocab_size를 넘어 뺐습니다: {list}" }, { n: r.vocab.dropped.length, list }));
  }
  if (r.skipped.length > 0) {
    // A multimodal checkpoint's vision tower, a tied lm_head, RoPE caches: not part of the GGUF, on purpose.
    const list = r.skipped.slice(0, 5).join(", ") + (r.skipped.length > 5 ? ", ..." : "");
    console.error(msg({ en: "note: {n} checkpoint tensors left out on purpose (a vision tower, a tied lm_head, RoPE caches): {list}", ko: "참고: 체크포인트 텐서 {n}개는 일부러 뺐습니다 (비전 타워, 공유된 lm_head, RoPE 캐시): {list}" }, { n: r.skipped.length, list }));
  }
  for (const f of r.fallbacks) {
    console.error(msg({ en: "note: {t} written as {w} instead of {want}: {why}", ko: "참고: {t}은(는) {want} 대신 {w}(으)로 썼습니다: {why}" }, { t: f.tensor, w: f.written, want: f.wanted, why: f.reason }));
  }
}
