// Hugging Face PEFT LoRA folder -> GGUF LoRA for a given base GGUF, as convert_lora_to_gguf.py does it: lora_A/lora_B
// keep their bytes (converted to F32), llama's q/k lora_B rows get the converter's permutation, and the shapes are
// checked against the base. PEFT's per-module scale (alpha_pattern, rank_pattern, rsLoRA) is kept exactly: GGUF has
// one alpha and llama.cpp scales by alpha / r, so any module whose scale differs has the ratio folded into its B.
import fs from "node:fs";
import path from "node:path";
import { AdapterFormatError, AdapterMismatchError, FileNotFoundError } from "../../errors.js";
import { assertOutputIsNotInput } from "../../fs/output-guard.js";
import { readGguf } from "../../formats/gguf/index.js";
import { matchPattern, PEFT_WEIGHTS_FILE, readPeftConfig, type PeftConfig } from "../../formats/peft/index.js";
import { FLOAT_DTYPES, readSafetensors, type SafetensorsTensorInfo } from "../../formats/safetensors/index.js";
import { baseHparams } from "./base-model.js";
import { writeGgufLoraFile, type LoraPairValues } from "./gguf-lora.js";
import { ggufProjectionName, hfModuleName, loraModules, parsePeftKey, type ProjectionRef } from "./module-names.js";
import { findArchitecture } from "../../arch/registry.js";
import { permuteRowsHfToGguf, permutesQk } from "./permute.js";
import { resolveModelPath } from "../../native/model-source.js";

export interface ImportPeftOptions {
  /** PEFT adapter folder (adapter_config.json + adapter_model.safetensors). */
  adapter: string;
  /** Base GGUF the adapter is for (llama.cpp binds a LoRA to one architecture and shape). */
  model: string;
  /** GGUF LoRA file to write. */
  out: string;
}

export interface ImportPeftResult {
  out: string;
  modules: number;
  /** Distinct ranks found. */
  ranks: number[];
  /** adapter.lora.alpha written. */
  alpha: number;
  permuted: number;
  /** Modules whose PEFT scale differs from alpha / r and was folded into B. */
  folded: number;
  parameters: number;
}

/** The peft scale of one module: lora_alpha / r, or lora_alpha / sqrt(r) with rsLoRA; alpha_pattern overrides alpha. */
function peftScale(config: PeftConfig, module: string, rank: number): number {
  const key = matchPattern(config.alpha_pattern, module);
  const alpha = key !== undefined ? config.alpha_pattern![key]! : (config.lora_alpha ?? 8);
  return config.use_rslora ? alpha / Math.sqrt(rank) : alpha / rank;
}

function refuse(adapter: string, en: string, ko: string): never {
  throw new AdapterFormatError(adapter, { en, ko });
}

/**
 * Largest scale (alpha / r, or alpha / sqrt(r)) accepted. Real adapters scale by about 0.5 to a few hundred; far
 * beyond, the scaled update overflows float32 (alpha 1e308 was once accepted and wrote an infinite alpha).
 */
const MAX_SCALE = 1e4;
/** Smallest scale accepted: below it the GGUF alpha can round to 0, which llama.cpp reads as "no alpha, scale 1". */
const MIN_SCALE = 1e-4;
/** Largest factor magnitude accepted: F16's largest value, the type GGUF LoRA files are commonly stored in. */
const MAX_FACTOR = 65504;

/** Every alpha the config names (lora_alpha and alpha_pattern's) is finite and gives a scale in [MIN_SCALE, MAX_SCALE]. */
function checkAlphas(dir: string, config: PeftConfig, ranks: Map<string, number>): void {
  for (const [module, rank] of ranks) {
    const scale = peftScale(config, module, rank);
    if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
      const key = matchPattern(config.alpha_pattern, module);
      const field = key !== undefined ? `alpha_pattern["${key}"]` : "lora_alpha";
      const alpha = key !== undefined ? config.alpha_pattern![key] : (config.lora_alpha ?? 8);
      refuse(
        dir,
        `${field} = ${alpha} gives ${module} (rank ${rank}) the scale ${scale}; a scale must be finite, between ${MIN_SCALE} and ${MAX_SCALE} (adapters use about 0.5 to a few hundred). Fix adapter_config.json`,
        `${field} = ${alpha}이면 ${module}(랭크 ${rank})의 배율이 ${scale}입니다. 배율은 ${MIN_SCALE} 이상 ${MAX_SCALE} 이하의 유한한 수여야 합니다 (보통 0.5에서 수백). adapter_config.json을 고치세요`,
      );
    }
  }
}

/** The config's rank for a module (rank_pattern, else r) must be the rank its tensors have: peft scales by it. */
function checkRank(dir: string, config: PeftConfig, module: string, rank: number): void {
  const key = matchPattern(config.rank_pattern, module);
  const configured = key !== undefined ? config.rank_pattern![key] : config.r;
  if (configured !== undefined && configured !== rank) {
    const field = key !== undefined ? `rank_pattern["${key}"]` : "r";
    refuse(
      dir,
      `adapter_config.json says ${field} = ${configured}, but ${module}'s tensors have rank ${rank}; the config belongs to another adapter or was edited. Use the adapter's own config`,
      `adapter_config.json에는 ${field} = ${configured}이지만 ${module}의 텐서 랭크는 ${rank}입니다. 다른 어댑터의 설정이거나 고쳐진 설정입니다. 어댑터 자신의 설정을 쓰세요`,
    );
  }
}

/** Every factor value is finite and within F16's range: NaN, infinities and 3e38-sized values are damage. */
function checkFactor(dir: string, name: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Math.abs(v) <= MAX_FACTOR)) {
      refuse(
        dir,
        `${name}[${i}] is ${v}; LoRA factors must be finite and at most ${MAX_FACTOR} in magnitude. The adapter file is damaged or diverged in training`,
        `${name}[${i}] 값이 ${v}입니다. LoRA 인자는 크기가 ${MAX_FACTOR} 이하인 유한한 수여야 합니다. 어댑터 파일이 손상되었거나 학습이 발산했습니다`,
      );
    }
  }
}

export async function importPeftAdapter(input: ImportPeftOptions): Promise<ImportPeftResult> {
  // The base may be an hf: URI or URL: resolved once here, so everything below reads the local file.
  const options = { ...input, model: await resolveModelPath(input.model) };
  const dir = options.adapter;
  assertOutputIsNotInput({ path: options.out, kind: "file" }, [options.model, dir]);
  const config = readPeftConfig(dir);
  if (config.peft_type !== "LORA") {
    refuse(dir, `PEFT ${config.peft_type} adapters cannot become a GGUF LoRA (only peft_type LORA can)`, `PEFT ${config.peft_type} 어댑터는 GGUF LoRA로 바꿀 수 없습니다 (peft_type LORA만 가능)`);
  }
  if (config.use_dora) refuse(dir, "DoRA adapters (use_dora) have a magnitude vector llama.cpp cannot apply", "DoRA 어댑터(use_dora)의 크기 벡터는 llama.cpp가 적용할 수 없습니다");
  if (config.fan_in_fan_out) refuse(dir, "fan_in_fan_out adapters (GPT-2 style Conv1D weights) do not fit llama-family models", "fan_in_fan_out 어댑터(GPT-2식 Conv1D 가중치)는 llama 계열 모델에 맞지 않습니다");
  const weightsFile = path.join(dir, PEFT_WEIGHTS_FILE);
  if (!fs.existsSync(weightsFile)) {
    if (fs.existsSync(path.join(dir, "adapter_model.bin"))) {
      refuse(dir, "only adapter_model.bin (a Python pickle) is present; localtune reads adapter_model.safetensors (save with safe_serialization=True)", "adapter_model.bin(Python pickle)만 있습니다. localtune은 adapter_model.safetensors를 읽습니다 (safe_serialization=True로 저장하세요)");
    }
    throw new FileNotFoundError(weightsFile, "PEFT adapter weights");
  }
  const st = readSafetensors(weightsFile);
  const base = readGguf(options.model);
  const arch = findArchitecture(base.architecture);
  const moduleOf = (ref: ProjectionRef) => hfModuleName(arch, ref);

  const groups = new Map<string, { ref: ProjectionRef; A?: SafetensorsTensorInfo; B?: SafetensorsTensorInfo }>();
  const unknown: string[] = [];
  for (const t of st.tensors) {
    const parsed = parsePeftKey(arch, t.name);
    if (!parsed) {
      unknown.push(t.name);
      continue;
    }
    const name = ggufProjectionName(parsed);
    const group = groups.get(name) ?? { ref: { layer: parsed.layer, projection: parsed.projection } };
    if (group[parsed.factor]) refuse(dir, `two lora_${parsed.factor} tensors for ${moduleOf(parsed)}`, `${moduleOf(parsed)}에 lora_${parsed.factor} 텐서가 둘입니다`);
    group[parsed.factor] = t;
    groups.set(name, group);
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).join(", ") + (unknown.length > 10 ? ` (+${unknown.length - 10} more)` : "");
    const known = Object.values(loraModules(arch)).join(", ");
    const layers = `${arch.hf.layerPrefix}N`;
    refuse(dir, `tensors llama.cpp's LoRA cannot apply to ${arch.name}: ${shown}. Supported: lora_A/lora_B of ${known} in ${layers}`, `llama.cpp LoRA가 ${arch.name}에 적용할 수 없는 텐서: ${shown}. 지원: ${layers}의 ${known}의 lora_A/lora_B`);
  }
  if (groups.size === 0) refuse(dir, "the adapter holds no LoRA tensors", "어댑터에 LoRA 텐서가 없습니다");

  const hp = baseHparams(base);
  const permute = permutesQk(base.architecture);
  const problems: string[] = [];
  const checked: { name: string; ref: ProjectionRef; A: SafetensorsTensorInfo; B: SafetensorsTensorInfo; rank: number; nIn: number; nOut: number }[] = [];
  for (const [name, { ref, A, B }] of groups) {
    const module = moduleOf(ref);
    if (!A || !B) refuse(dir, `${module} lacks its lora_${A ? "B" : "A"} tensor`, `${module}에 lora_${A ? "B" : "A"} 텐서가 없습니다`);
    for (const t of [A, B]) {
      if (!FLOAT_DTYPES.includes(t.dtype)) refuse(dir, `${t.name} is ${t.dtype}; LoRA factors must be ${FLOAT_DTYPES.join(", ")}`, `${t.name}은(는) ${t.dtype}입니다. LoRA 인자는 ${FLOAT_DTYPES.join(", ")}여야 합니다`);
      if (t.shape.length !== 2) refuse(dir, `${t.name} has shape [${t.shape.join(", ")}], expected 2 dimensions`, `${t.name}의 모양이 [${t.shape.join(", ")}]입니다. 2차원이어야 합니다`);
    }
    const [rank, nIn] = A.shape as [number, number];
    const [nOut, rankB] = B.shape as [number, number];
    if (rank !== rankB) refuse(dir, `${module}: lora_A [${A.shape.join(", ")}] and lora_B [${B.shape.join(", ")}] do not share a rank`, `${module}: lora_A [${A.shape.join(", ")}]와 lora_B [${B.shape.join(", ")}]의 랭크가 다릅니다`);
    checkRank(dir, config, module, rank);
    const w = base.findTensor(`${name}.weight`);
    if (!w) problems.push(`${module}: the model has no ${name}.weight`);
    else if (w.ne[0] !== nIn || w.ne[1] !== nOut) problems.push(`${module}: adapter [out ${nOut}, in ${nIn}], model ${name}.weight [out ${w.ne[1]}, in ${w.ne[0]}]`);
    checked.push({ name, ref, A, B, rank, nIn, nOut });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? ` (+${problems.length - 5} more)` : "");
    throw new AdapterMismatchError(dir, options.model, { en: shown, ko: shown });
  }

  checkAlphas(dir, config, new Map(checked.map((m) => [moduleOf(m.ref), m.rank])));
  const first = checked[0]!;
  const alpha = peftScale(config, moduleOf(first.ref), first.rank) * first.rank;
  const pairs: LoraPairValues[] = [];
  let permuted = 0;
  let folded = 0;
  let parameters = 0;
  for (const m of checked) {
    const a = st.readFloat32(m.A);
    let b = st.readFloat32(m.B);
    checkFactor(dir, m.A.name, a);
    checkFactor(dir, m.B.name, b);
    const ratio = (peftScale(config, moduleOf(m.ref), m.rank) * m.rank) / alpha;
    if (Math.abs(ratio - 1) > 1e-6) {
      for (let i = 0; i < b.length; i++) b[i] = b[i]! * ratio;
      folded++;
    }
    if (permute && (m.ref.projection === "attn_q" || m.ref.projection === "attn_k")) {
      b = permuteRowsHfToGguf(b, m.nOut, m.rank, m.ref.projection === "attn_q" ? hp.nHead : hp.nHeadKv);
      permuted++;
    }
    pairs.push({ name: m.name, nIn: m.nIn, nOut: m.nOut, rank: m.rank, a, b });
    parameters += a.length + b.length;
  }
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  await writeGgufLoraFile(options.out, {
    arch: base.architecture,
    alpha,
    name: config.base_model_name_or_path ? `PEFT LoRA for ${config.base_model_name_or_path}` : `PEFT LoRA ${path.basename(path.resolve(dir))}`,
    pairs,
    extra: { "adapter.localtune.source": "peft" },
  });
  return { out: options.out, modules: pairs.length, ranks: [...new Set(pairs.map((p) => p.rank))].sort((x, y) => x - y), alpha, permuted, folded, parameters };
}
