// Rungs trained elsewhere (`ladder --add-rung name=path`): a PEFT LoRA folder as Axolotl or LLaMA-Factory write it, a
// GGUF LoRA, or a whole GGUF model (DAPT on a cluster, converted with llama.cpp). Each is scored by the same engine,
// suite and held-out text as the local rungs and enters the report with where it came from and no local cost figures.
import fs from "node:fs";
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { loadEngineLora } from "../methods/lora/engine-lora.js";
import { EngineModel } from "../engine/model.js";
import { ExternalRungError, FileNotFoundError } from "../errors.js";
import { evalQualityFigures } from "../eval/evaluate.js";
import type { Judge } from "../eval/judge.js";
import type { QaStyleSetting } from "../eval/qa-metrics.js";
import type { SuiteItem } from "../eval/suite.js";
import { readGguf } from "../formats/gguf/index.js";
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE, readPeftConfig } from "../formats/peft/index.js";
import { readSafetensors } from "../formats/safetensors/index.js";
import type { MethodResult } from "../report/schema.js";
import { clozeDecidedAfter } from "./context-items.js";
import { createEngineEvalBackend } from "./engine-eval.js";
import { evaluateRung } from "./evaluate-rung.js";

export interface ExternalRungSpec {
  /** Rung id in the report. */
  name: string;
  path: string;
}

/** Parses "name=path" (the first "=" splits; the name is a rung id: letters, digits, "-", "_", "."). */
export function parseAddRung(text: string): ExternalRungSpec {
  const at = text.indexOf("=");
  const name = at > 0 ? text.slice(0, at).trim() : "";
  const file = at > 0 ? text.slice(at + 1).trim() : "";
  if (!/^[\w.-]+$/.test(name) || file === "") {
    throw new ExternalRungError({
      en: `--add-rung expects name=path (a rung id, then a PEFT folder, a GGUF LoRA or a GGUF model), got "${text}".`,
      ko: `--add-rung에는 이름=경로(단계 이름, 그리고 PEFT 폴더나 GGUF LoRA 또는 GGUF 모델)가 필요하지만 "${text}"이(가) 주어졌습니다.`,
    });
  }
  return { name, path: file };
}

/** Refuses names that collide with another rung and paths that do not exist, before anything runs. */
export function checkExternalRungs(specs: readonly ExternalRungSpec[], rungIds: readonly string[]): void {
  const seen = new Set(rungIds);
  for (const spec of specs) {
    if (seen.has(spec.name)) {
      throw new ExternalRungError({
        en: `--add-rung ${spec.name}: that name is already a rung of this ladder (${[...seen].join(", ")}); give the external rung another name.`,
        ko: `--add-rung ${spec.name}: 이 사다리에 이미 있는 단계 이름입니다 (${[...seen].join(", ")}). 외부 단계에 다른 이름을 주세요.`,
      });
    }
    seen.add(spec.name);
    if (!fs.existsSync(spec.path)) throw new FileNotFoundError(spec.path, `--add-rung ${spec.name}`);
  }
}

interface LoadedExternal {
  model: EngineModel;
  hooks: Parameters<typeof createEngineEvalBackend>[2];
  trainableParams: number;
  origin: string;
  dispose(): void;
}

/** A whole model must read text as the base does: the same tokenizer vocabulary. */
function checkSameTokenizer(spec: ExternalRungSpec, basePath: string): void {
  const tokens = (file: string) => readGguf(file).getStringArray("tokenizer.ggml.tokens", [] as readonly string[]);
  const ours = tokens(basePath);
  const theirs = tokens(spec.path);
  if (ours.length !== theirs.length || ours.some((t, i) => t !== theirs[i])) {
    throw new ExternalRungError({
      en: `--add-rung ${spec.name}: ${spec.path} has another tokenizer than the base model (${theirs.length} tokens vs ${ours.length}); the suite would be read differently. Convert the model trained from this base.`,
      ko: `--add-rung ${spec.name}: ${spec.path}의 토크나이저가 기반 모델과 다릅니다 (토큰 ${theirs.length}개 대 ${ours.length}개). 평가 세트를 다르게 읽게 됩니다. 이 기반 모델로 학습한 모델을 변환하세요.`,
    });
  }
}

async function loadExternal(spec: ExternalRungSpec, basePath: string, threads: number): Promise<LoadedExternal> {
  const isDir = fs.statSync(spec.path).isDirectory();
  const isGgufModel = !isDir && readGguf(spec.path).getString("general.type", "model") !== "adapter";
  if (isGgufModel) {
    checkSameTokenizer(spec, basePath);
    const model = await EngineModel.load(spec.path, { threads });
    const params = readGguf(spec.path).tensors.reduce((sum, t) => sum + t.elementCount, 0);
    return { model, hooks: {}, trainableParams: params, origin: `GGUF model ${spec.path} (every weight, trained elsewhere)`, dispose: () => model.dispose() };
  }
  let origin = `GGUF LoRA ${spec.path}`;
  let params: number | undefined;
  if (isDir && fs.existsSync(path.join(spec.path, PEFT_CONFIG_FILE))) {
    const config = readPeftConfig(spec.path);
    const weights = path.join(spec.path, PEFT_WEIGHTS_FILE);
    params = fs.existsSync(weights) ? readSafetensors(weights).tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0) : undefined;
    const modules = Array.isArray(config.target_modules) ? config.target_modules.join(", ") : String(config.target_modules ?? "");
    origin = `PEFT LoRA ${spec.path} (r=${config.r}, lora_alpha ${config.lora_alpha}${config.use_rslora ? ", rsLoRA" : ""}, target_modules ${modules}${config.base_model_name_or_path ? `, base ${config.base_model_name_or_path}` : ""})`;
  }
  const model = await EngineModel.load(basePath, { threads });
  try {
    const lora = await loadEngineLora(model, [{ path: spec.path }], basePath);
    return {
      model,
      hooks: lora.hooks,
      trainableParams: params ?? 0,
      origin,
      dispose() {
        lora.dispose();
        model.dispose();
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

export interface ScoreExternalOptions {
  baseModel: string;
  threads: number;
  vocab: LlamaModel;
  items: readonly SuiteItem[];
  heldOut?: string;
  judge?: Judge;
  windowTokens: number;
  /** QA rule setting, the same as the local rungs'. */
  qaStyle: QaStyleSetting;
  evalFile: string;
  onItem?: (done: number, total: number) => void;
}

/** Scores one external rung on the ladder's suite and held-out text; its report entry says where it came from. */
export async function scoreExternalRung(spec: ExternalRungSpec, options: ScoreExternalOptions): Promise<MethodResult> {
  const loaded = await loadExternal(spec, options.baseModel, options.threads);
  try {
    const backend = createEngineEvalBackend(loaded.model, options.vocab, loaded.hooks, {
      windowTokens: options.windowTokens,
      backend: `localtune engine + external ${spec.name}`,
      decidedAfter: clozeDecidedAfter(options.items),
    });
    const evaluation = await evaluateRung(backend, options.items, {
      rung: spec.name,
      file: options.evalFile,
      qaStyle: options.qaStyle,
      ...(options.onItem ? { onItem: options.onItem } : {}),
      ...(options.heldOut !== undefined ? { heldOut: options.heldOut } : {}),
      ...(options.judge ? { judge: options.judge } : {}),
    });
    return {
      method: spec.name,
      label: `${spec.name} (external)`,
      trainableParams: loaded.trainableParams,
      trainSeconds: 0,
      tokensPerSecond: null,
      peakMemoryBytes: null,
      ...evalQualityFigures(evaluation),
      lossCurve: [],
      notes: `trained elsewhere, not by this ladder (no training time or memory here): ${loaded.origin}`,
    };
  } finally {
    loaded.dispose();
  }
}
