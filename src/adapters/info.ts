// What an adapter is, without loading a model: format, type, architecture, rank, alpha, targets and parameter count,
// for GGUF adapters (LoRA, and the vector/prompt adapters other methods write with general.type "adapter") and PEFT
// folders of any peft_type.
import fs from "node:fs";
import path from "node:path";
import { AdapterFormatError, FileNotFoundError } from "../errors.js";
import { msg } from "../i18n/index.js";
import { ggmlTypeName, readGguf } from "../formats/gguf/index.js";
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE, readPeftConfig } from "../formats/peft/index.js";
import { readSafetensors } from "../formats/safetensors/index.js";
import { readGgufLora } from "../methods/lora/gguf-lora.js";
import { parsePeftKeyAnyArchitecture } from "../methods/lora/module-names.js";

export interface AdapterInfo {
  /** The file or folder described. */
  path: string;
  format: "gguf" | "peft";
  /** "lora" for LoRA; the GGUF adapter.type or PEFT peft_type otherwise (e.g. "bitfit", "PROMPT_TUNING"). */
  type: string;
  /** GGUF general.architecture (null for PEFT, which does not record it). */
  arch: string | null;
  /** Base model recorded in the adapter (PEFT base_model_name_or_path), or null. */
  baseModel: string | null;
  /** Distinct LoRA ranks (empty for other types). */
  ranks: number[];
  /** LoRA alpha (GGUF adapter.lora.alpha, PEFT lora_alpha), or null. */
  alpha: number | null;
  rslora: boolean;
  /** Adapted projections in GGUF terms (attn_q, ffn_down ...), or the tensor roles for other types. */
  targets: string[];
  /** Layers that carry adapter weights. */
  layers: number[];
  tensors: number;
  parameters: number;
  /** Element types of the stored tensors. */
  dtypes: string[];
  /** Other adapter.* metadata of a GGUF adapter (e.g. adapter.prompt_tuning.virtual_tokens), as text. */
  details: Record<string, string>;
}

const uniqueSorted = <T>(values: Iterable<T>, compare?: (a: T, b: T) => number) => [...new Set(values)].sort(compare);
const byNumber = (a: number, b: number) => a - b;

function describeGguf(file: string): AdapterInfo {
  const gguf = readGguf(file);
  const generalType = gguf.getString("general.type", "");
  if (generalType !== "adapter") {
    throw new AdapterFormatError(file, {
      en: `not an adapter: general.type is "${generalType || "(absent)"}" (a base model? use it with --model)`,
      ko: `어댑터가 아닙니다: general.type이 "${generalType || "(없음)"}"입니다 (기본 모델이라면 --model로 쓰세요)`,
    });
  }
  const type = gguf.getString("adapter.type", "unknown");
  const details: Record<string, string> = {};
  for (const [key, value] of gguf.metadata) {
    if (!key.startsWith("adapter.") || key === "adapter.type" || key === "adapter.lora.alpha" || value.type === "array") continue;
    details[key] = String(value.value);
  }
  const common = {
    details,
    path: file,
    format: "gguf" as const,
    type,
    arch: gguf.getString("general.architecture", null),
    baseModel: null,
    tensors: gguf.tensors.length,
    parameters: gguf.tensors.reduce((n, t) => n + t.elementCount, 0),
    dtypes: uniqueSorted(gguf.tensors.map((t) => ggmlTypeName(t.type))),
    layers: uniqueSorted(gguf.tensors.flatMap((t) => {
      const m = /^blk\.(\d+)\./.exec(t.name);
      return m ? [Number(m[1])] : [];
    }), byNumber),
  };
  if (type !== "lora") {
    const roles = uniqueSorted(gguf.tensors.map((t) => t.name.replace(/^blk\.\d+\./, "")));
    return { ...common, ranks: [], alpha: null, rslora: false, targets: roles };
  }
  const lora = readGgufLora(file);
  return {
    ...common,
    ranks: uniqueSorted(lora.pairs.map((p) => p.rank), byNumber),
    alpha: lora.alpha,
    rslora: false,
    targets: uniqueSorted(lora.pairs.map((p) => p.ref?.projection ?? p.name)),
  };
}

function describePeft(dir: string): AdapterInfo {
  const config = readPeftConfig(dir);
  const weights = path.join(dir, PEFT_WEIGHTS_FILE);
  const st = fs.existsSync(weights) ? readSafetensors(weights) : undefined;
  const tensors = st?.tensors ?? [];
  const lora = tensors.map((t) => ({ t, key: parsePeftKeyAnyArchitecture(t.name) }));
  const isLora = config.peft_type === "LORA";
  return {
    path: dir,
    format: "peft",
    type: isLora ? "lora" : config.peft_type,
    arch: null,
    baseModel: config.base_model_name_or_path ?? null,
    ranks: isLora ? uniqueSorted(lora.filter((x) => x.key?.factor === "A").map((x) => x.t.shape[0]!), byNumber) : [],
    alpha: isLora ? (config.lora_alpha ?? 8) : null,
    rslora: config.use_rslora,
    targets: isLora
      ? uniqueSorted(lora.map((x) => x.key?.projection ?? x.t.name))
      : Array.isArray(config.target_modules) ? config.target_modules : config.target_modules ? [config.target_modules] : [],
    layers: uniqueSorted(lora.flatMap((x) => (x.key ? [x.key.layer] : [])), byNumber),
    tensors: tensors.length,
    parameters: tensors.reduce((n, t) => n + t.elementCount, 0),
    dtypes: uniqueSorted(tensors.map((t) => t.dtype)),
    details: isLora ? {} : Object.fromEntries(Object.entries(config).filter(([k, v]) => k.startsWith("num_") && v !== null).map(([k, v]) => [k, String(v)])),
  };
}

/** Describes a GGUF adapter file, a PEFT folder, or a folder holding adapter.gguf (a training run's adapter/). */
export function describeAdapter(target: string): AdapterInfo {
  if (!fs.existsSync(target)) throw new FileNotFoundError(target, "adapter");
  if (!fs.statSync(target).isDirectory()) return describeGguf(target);
  if (fs.existsSync(path.join(target, PEFT_CONFIG_FILE))) return describePeft(target);
  for (const inner of [path.join(target, "adapter.gguf"), path.join(target, "adapter", "adapter.gguf")]) {
    if (fs.existsSync(inner)) return describeGguf(inner);
  }
  throw new AdapterFormatError(target, {
    en: `the folder holds neither ${PEFT_CONFIG_FILE} (a PEFT adapter) nor adapter.gguf`,
    ko: `폴더에 ${PEFT_CONFIG_FILE}(PEFT 어댑터)도 adapter.gguf도 없습니다`,
  });
}

/** Human-readable lines for `localtune adapters info`. */
export function formatAdapterInfo(info: AdapterInfo): string[] {
  const none = msg({ en: "(none)", ko: "(없음)" });
  const layers = info.layers.length === 0 ? none : info.layers.length > 1 && info.layers.every((l, i) => i === 0 || l === info.layers[i - 1]! + 1) ? `${info.layers[0]}-${info.layers.at(-1)} (${info.layers.length})` : info.layers.join(", ");
  const lines = [
    msg({ en: "adapter     {v}", ko: "어댑터      {v}" }, { v: info.path }),
    msg({ en: "format      {v}", ko: "형식        {v}" }, { v: info.format === "gguf" ? "GGUF" : "PEFT (Hugging Face)" }),
    msg({ en: "type        {v}", ko: "종류        {v}" }, { v: info.type }),
    msg({ en: "arch        {v}", ko: "아키텍처    {v}" }, { v: info.arch ?? none }),
  ];
  if (info.baseModel) lines.push(msg({ en: "base model  {v}", ko: "기본 모델   {v}" }, { v: info.baseModel }));
  if (info.type === "lora") {
    lines.push(msg({ en: "rank        {v}", ko: "랭크        {v}" }, { v: info.ranks.join(", ") || none }));
    lines.push(msg({ en: "alpha       {v}{rs}", ko: "알파        {v}{rs}" }, { v: info.alpha === null ? none : String(info.alpha), rs: info.rslora ? " (rsLoRA)" : "" }));
  }
  lines.push(
    msg({ en: "targets     {v}", ko: "대상        {v}" }, { v: info.targets.join(", ") || none }),
    msg({ en: "layers      {v}", ko: "층          {v}" }, { v: layers }),
    msg({ en: "tensors     {n} ({t})", ko: "텐서        {n}개 ({t})" }, { n: info.tensors, t: info.dtypes.join(", ") || none }),
    msg({ en: "parameters  {v}", ko: "파라미터    {v}" }, { v: info.parameters.toLocaleString("en-US") }),
  );
  for (const [key, value] of Object.entries(info.details)) lines.push(`${key}  ${value}`);
  return lines;
}
