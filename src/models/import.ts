// `localtune models import`: a Hugging Face model folder (config.json, safetensors, tokenizer.json) -> one GGUF file
// that llama.cpp and localtune load, without Python. Tensors are read, converted and written one at a time into a
// temporary file renamed into place at the end, so memory stays at about one tensor and a failed import leaves nothing.
import path from "node:path";
import { InvalidConfigError } from "../errors.js";
import { assertOutputIsNotInput } from "../fs/output-guard.js";
import { GgmlType, ggmlTypeInfo, gguf, writeGguf, type GgufTensorInput, type GgufValue } from "../formats/gguf/index.js";
import { quantize } from "../formats/quant/index.js";
import { archConfigTensors, architectureOf, hfHparams, refuseQuantizedCheckpoint, textConfig } from "./hf-config.js";
import { checkModelFolder, readJsonFile, readTextFile } from "./hf-files.js";
import { hfVocab } from "./hf-vocab.js";
import { openCheckpoint } from "./safetensors-set.js";
import { chatTemplateMetadata, specialTokenMetadata } from "./special-tokens.js";
import { planTensors, type PlannedTensor } from "./tensor-plan.js";

/** Storage types of the 2-D weights, with llama.cpp's general.file_type (enum llama_ftype) for each. */
export const IMPORT_TYPES = {
  f32: { type: GgmlType.F32, fileType: 0 },
  f16: { type: GgmlType.F16, fileType: 1 },
  q8_0: { type: GgmlType.Q8_0, fileType: 7 },
  bf16: { type: GgmlType.BF16, fileType: 32 },
} as const;
export type ImportTypeName = keyof typeof IMPORT_TYPES;

export interface ImportHfModelOptions {
  /** The Hugging Face model folder. */
  folder: string;
  /** GGUF file to write. */
  out: string;
  /** Type of the 2-D weights (embeddings and projections); norms, biases and RoPE factors stay F32. Default f16. */
  type?: ImportTypeName;
  /** `general.name` (default: the folder's name). */
  name?: string;
  /** Called after each tensor is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportHfModelResult {
  out: string;
  /** `general.architecture` written. */
  arch: string;
  /** config.json's `architectures[0]`. */
  hfArchitecture: string;
  type: ImportTypeName;
  tensors: number;
  parameters: number;
  /** Tensors stored as F16 because their rows do not split into the requested type's blocks. */
  fallbacks: Array<{ tensor: string; written: string; wanted: string; reason: string }>;
  tiedEmbeddings: boolean;
  /** Checkpoint tensors not written on purpose (a tied lm_head, RoPE caches). */
  skipped: string[];
  vocab: { model: "gpt2" | "llama"; pre: string; tokens: number; merges: number; chatTemplate: boolean; dropped: string[] };
  shards: number;
}

/** The stored type of a planned tensor: 1-D tensors stay F32 (as convert_hf_to_gguf.py keeps them). */
function storedType(t: PlannedTensor, wanted: GgmlType): { type: GgmlType; fallback?: string } {
  if (t.ne.length < 2) return { type: GgmlType.F32 };
  const block = ggmlTypeInfo(wanted).blockSize;
  if (t.ne[0]! % block === 0) return { type: wanted };
  return { type: GgmlType.F16, fallback: `rows of ${t.ne[0]} values do not split into ${ggmlTypeInfo(wanted).name} blocks of ${block}` };
}

export async function importHfModel(options: ImportHfModelOptions): Promise<ImportHfModelResult> {
  const typeName = options.type ?? "f16";
  if (!Object.hasOwn(IMPORT_TYPES, typeName)) {
    throw new InvalidConfigError({ en: `--type ${typeName}: choose one of ${Object.keys(IMPORT_TYPES).join(", ")}`, ko: `--type ${typeName}: ${Object.keys(IMPORT_TYPES).join(", ")} 중에서 고르세요` });
  }
  const folder = options.folder;
  checkModelFolder(folder);
  assertOutputIsNotInput({ path: options.out, kind: "file" }, [folder]);

  const rawConfig = readJsonFile(folder, "config.json", "model config (config.json)");
  const config = textConfig(rawConfig);
  const arch = architectureOf(folder, config);
  refuseQuantizedCheckpoint(folder, config);
  const hp = hfHparams(folder, arch, config);
  const tokenizer = readJsonFile(folder, "tokenizer.json", "tokenizer (tokenizer.json; models import does not read tokenizer.model alone)");
  const tokenizerConfig = readJsonFile(folder, "tokenizer_config.json", "tokenizer config", true);
  const checkpoint = openCheckpoint(folder);
  const plan = planTensors(folder, arch, hp.shape, checkpoint);
  const vocab = hfVocab(folder, tokenizer, hp.shape.nVocab);
  const specials = specialTokenMetadata(tokenizer, tokenizerConfig, config, vocab.tokens);
  const templates = chatTemplateMetadata(tokenizerConfig, readTextFile(folder, "chat_template.jinja"), readJsonFile(folder, "chat_template.json", "chat template", true));

  const { type: wanted, fileType } = IMPORT_TYPES[typeName];
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", gguf.str(arch.name)],
    ["general.type", gguf.str("model")],
    ["general.name", gguf.str(options.name ?? path.basename(path.resolve(folder)))],
    ...hp.metadata,
    ["general.file_type", gguf.u32(fileType)],
    ...(ggmlTypeInfo(wanted).quantized ? ([["general.quantization_version", gguf.u32(2)]] as Array<[string, GgufValue]>) : []),
    ...vocab.metadata,
    ...specials,
    ...templates,
  ]);

  const fallbacks: ImportHfModelResult["fallbacks"] = [];
  const computed = archConfigTensors(folder, arch, config);
  const total = computed.length + plan.tensors.length;
  let done = 0;
  const progress = <T>(make: () => T) => () => {
    const out = make();
    options.onProgress?.(++done, total);
    return out;
  };
  const tensors: GgufTensorInput[] = computed.map((t) => ({ name: t.name, type: GgmlType.F32, ne: t.ne, data: progress(() => t.values) }));
  let parameters = 0;
  for (const t of plan.tensors) {
    const { type, fallback } = storedType(t, wanted);
    if (fallback) fallbacks.push({ tensor: t.name, written: "f16", wanted: typeName, reason: fallback });
    parameters += t.source.info.elementCount;
    tensors.push({
      name: t.name,
      type,
      ne: t.ne,
      data: progress(() => {
        // [rows, cols] row-major as the checkpoint holds it = ggml's [cols, rows]: the bytes need no transposition.
        const values = t.source.file.readFloat32(t.source.info);
        return quantize(type, t.transform ? t.transform(values) : values);
      }),
    });
  }
  options.onProgress?.(0, total);
  await writeGguf(options.out, { metadata, tensors });
  return {
    out: options.out,
    arch: arch.name,
    hfArchitecture: String((config["architectures"] as unknown[])[0]),
    type: typeName,
    tensors: tensors.length,
    parameters,
    fallbacks,
    tiedEmbeddings: plan.tiedEmbeddings,
    skipped: plan.skipped,
    vocab: {
      model: vocab.kind,
      pre: (vocab.metadata.get("tokenizer.ggml.pre") as { value: string }).value,
      tokens: vocab.tokens,
      merges: vocab.merges,
      chatTemplate: templates.has("tokenizer.chat_template"),
      dropped: vocab.dropped,
    },
    shards: checkpoint.files.length,
  };
}
