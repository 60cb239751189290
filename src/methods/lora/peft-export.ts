// GGUF LoRA -> Hugging Face PEFT folder (adapter_model.safetensors + adapter_config.json) that peft's
// PeftModel.from_pretrained loads onto the transformers base model. lora_a/lora_b bytes become lora_A/lora_B as they
// are (same row-major layout); for llama, lora_B of q and k gets the inverse of the converter's row permutation.
import fs from "node:fs";
import path from "node:path";
import { AdapterFormatError } from "../../errors.js";
import { assertOutputIsNotInput } from "../../fs/output-guard.js";
import { readGguf } from "../../formats/gguf/index.js";
import { PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE } from "../../formats/peft/index.js";
import { writeSafetensors, type SafetensorsTensorInput } from "../../formats/safetensors/index.js";
import { baseHparams, hfBaseModelId } from "./base-model.js";
import { checkLoraAgainstBase, readGgufLora, readLoraPair } from "./gguf-lora.js";
import { hfModuleName, hfShortName, loraModules, peftKey } from "./module-names.js";
import { findArchitecture } from "../../arch/registry.js";
import { permuteRowsGgufToHf, permutesQk } from "./permute.js";
import { resolveModelPath } from "../../native/model-source.js";

export interface ExportPeftOptions {
  /** GGUF LoRA adapter file. */
  adapter: string;
  /** The base GGUF it was trained on (architecture, head counts for llama, and the HF id when recorded). */
  model: string;
  /** Output folder (created; existing adapter files in it are replaced). */
  out: string;
  /** Write rsLoRA form (use_rslora, lora_alpha = alpha_gguf / sqrt(r)) instead of plain alpha; same scale either way. */
  rslora?: boolean;
  /** base_model_name_or_path to record; default: the HF id in the base GGUF's metadata, else null. */
  baseModelName?: string | null;
}

export interface ExportPeftResult {
  dir: string;
  /** LoRA weights written (pairs). */
  modules: number;
  rank: number;
  loraAlpha: number;
  targetModules: string[];
  /** lora_B tensors that got the inverse q/k permutation (llama). */
  permuted: number;
  baseModelName: string | null;
  parameters: number;
}

export async function exportPeftAdapter(input: ExportPeftOptions): Promise<ExportPeftResult> {
  // The base may be an hf: URI or URL: resolved once here, so everything below reads the local file.
  const options = { ...input, model: await resolveModelPath(input.model) };
  // Two files are written into --out: neither may be an input (the folder itself may hold the inputs).
  for (const name of [PEFT_WEIGHTS_FILE, PEFT_CONFIG_FILE]) assertOutputIsNotInput({ path: path.join(options.out, name), kind: "file" }, [options.adapter, options.model]);
  const lora = readGgufLora(options.adapter);
  const base = readGguf(options.model);
  checkLoraAgainstBase(lora, base, options.model);
  const arch = findArchitecture(base.architecture);
  const modules = loraModules(arch);
  const unmapped = [...lora.others, ...lora.pairs.filter((p) => !p.ref || !Object.hasOwn(modules, p.ref.projection)).map((p) => `${p.name}.weight`)];
  if (unmapped.length > 0) {
    throw new AdapterFormatError(options.adapter, {
      en: `these tensors have no PEFT LoRA module name: ${unmapped.join(", ")} (localtune exports LoRA on ${arch.name}'s ${Object.keys(modules).join(", ")})`,
      ko: `다음 텐서는 PEFT LoRA 모듈 이름이 없습니다: ${unmapped.join(", ")} (${arch.name}에서 내보낼 수 있는 대상: ${Object.keys(modules).join(", ")})`,
    });
  }
  if (lora.pairs.length === 0) throw new AdapterFormatError(options.adapter, { en: "the adapter holds no LoRA tensors", ko: "어댑터에 LoRA 텐서가 없습니다" });
  const hp = baseHparams(base);
  const permute = permutesQk(lora.arch);

  // The most common rank is r; other ranks go to rank_pattern, keyed by full module name.
  const rankCounts = new Map<number, number>();
  for (const p of lora.pairs) rankCounts.set(p.rank, (rankCounts.get(p.rank) ?? 0) + 1);
  const rank = [...rankCounts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0];
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  // llama.cpp scales by alpha / r_m, and by 1 when alpha is 0; PEFT by lora_alpha / r_m, so lora_alpha = alpha keeps
  // every module's scale, and alpha 0 becomes lora_alpha = r_m per module.
  const uniform = rankCounts.size === 1;
  const rslora = options.rslora === true && uniform && lora.alpha !== 0;
  const loraAlpha = lora.alpha === 0 ? rank : rslora ? lora.alpha / Math.sqrt(rank) : lora.alpha;

  const tensors: SafetensorsTensorInput[] = [];
  let permuted = 0;
  let parameters = 0;
  for (const pair of lora.pairs) {
    const ref = pair.ref!;
    const { a, b } = readLoraPair(lora, pair);
    let bHf = b;
    if (permute && (ref.projection === "attn_q" || ref.projection === "attn_k")) {
      bHf = permuteRowsGgufToHf(b, pair.nOut, pair.rank, ref.projection === "attn_q" ? hp.nHead : hp.nHeadKv);
      permuted++;
    }
    if (pair.rank !== rank) {
      rankPattern[hfModuleName(arch, ref)] = pair.rank;
      if (lora.alpha === 0) alphaPattern[hfModuleName(arch, ref)] = pair.rank;
    }
    tensors.push(
      { name: peftKey(arch, ref, "A"), dtype: "F32", shape: [pair.rank, pair.nIn], data: a },
      { name: peftKey(arch, ref, "B"), dtype: "F32", shape: [pair.nOut, pair.rank], data: bHf },
    );
    parameters += a.length + b.length;
  }

  // Short names (q_proj) when a projection is adapted in every layer, as PEFT users write them; full module names
  // otherwise, so PEFT does not add (untrained) LoRA modules to layers the adapter leaves alone.
  const layersOf = new Map<string, Set<number>>();
  for (const p of lora.pairs) layersOf.set(p.ref!.projection, (layersOf.get(p.ref!.projection) ?? new Set()).add(p.ref!.layer));
  const everyLayer = [...layersOf.values()].every((s) => s.size === hp.nLayer);
  const targetModules = everyLayer ? [...layersOf.keys()].map((p) => hfShortName(arch, p)).sort() : lora.pairs.map((p) => hfModuleName(arch, p.ref!)).sort();

  const baseModelName = options.baseModelName !== undefined ? options.baseModelName : hfBaseModelId(base);
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: baseModelName,
    revision: null,
    inference_mode: true,
    r: rank,
    lora_alpha: loraAlpha,
    lora_dropout: 0,
    target_modules: targetModules,
    use_rslora: rslora,
    use_dora: false,
    fan_in_fan_out: false,
    bias: "none",
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
  };

  fs.mkdirSync(options.out, { recursive: true });
  await writeSafetensors(path.join(options.out, PEFT_WEIGHTS_FILE), {
    metadata: { format: "pt", "localtune.source": path.basename(options.adapter), "localtune.base_gguf": path.basename(options.model) },
    tensors,
  });
  const configFile = path.join(options.out, PEFT_CONFIG_FILE);
  fs.writeFileSync(`${configFile}.tmp`, JSON.stringify(config, null, 2) + "\n");
  fs.renameSync(`${configFile}.tmp`, configFile);
  return { dir: options.out, modules: lora.pairs.length, rank, loraAlpha, targetModules, permuted, baseModelName, parameters };
}
