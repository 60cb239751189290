// Which checkpoint tensor becomes which GGUF tensor: the architecture's Hugging Face names (HfNaming) read in reverse,
// every tensor the architecture expects found with its shape, none left over (a vision tower beside the text decoder
// is listed as skipped), and the transforms
// convert_hf_to_gguf.py applies on the way (llama's q/k row order, Gemma's RMSNorm offset).
import type { DecoderShape } from "../arch/shape.js";
import { decoderTensorSpecs, type ArchDefinition } from "../arch/types.js";
import { HfModelError, UnsupportedTensorTypeError } from "../errors.js";
import { FLOAT_DTYPES } from "../formats/safetensors/index.js";
import { permuteRowsHfToGguf } from "../methods/lora/permute.js";
import type { Checkpoint, CheckpointTensor } from "./safetensors-set.js";

/** One GGUF tensor to write from one checkpoint tensor. */
export interface PlannedTensor {
  /** GGUF name ("blk.3.attn_q.weight"). */
  name: string;
  /** Shape in ggml order (the checkpoint's shape reversed). */
  ne: number[];
  role: "embedding" | "norm" | "weight" | "bias" | "rope";
  source: CheckpointTensor;
  /** Reorders or shifts the float32 values (row-major, as the checkpoint holds them) before they are stored. */
  transform?: (values: Float32Array) => Float32Array;
}

export interface TensorPlan {
  tensors: PlannedTensor[];
  /** The checkpoint has no lm_head (or config.json ties it): llama.cpp reuses token_embd for the output. */
  tiedEmbeddings: boolean;
  /** Checkpoint tensors left out on purpose (RoPE caches, a tied lm_head, a multimodal checkpoint's vision tower). */
  skipped: string[];
}

/** Buffers some checkpoints carry that are not weights: transformers recomputes them (as llama.cpp does). */
const NOT_WEIGHTS = /\.rotary_emb\.inv_freq$/;

/** GGUF tensor name -> Hugging Face tensor name for every module the architecture names, weights and biases. */
function hfNames(arch: ArchDefinition, nLayer: number): Map<string, string> {
  const names = new Map<string, string>();
  for (const [gguf, module] of Object.entries(arch.hf.globalModules)) names.set(`${gguf}.weight`, `${module}.weight`);
  for (let il = 0; il < nLayer; il++) {
    for (const [gguf, module] of Object.entries(arch.hf.layerModules)) {
      for (const suffix of ["weight", "bias"]) names.set(`blk.${il}.${gguf}.${suffix}`, `${arch.hf.layerPrefix}${il}.${module}.${suffix}`);
    }
  }
  return names;
}

/** Rows of q (H heads) and k (K heads) go from HF's rotate_half layout to llama.cpp's adjacent pairs. */
function qkPermutation(name: string, shape: DecoderShape): ((v: Float32Array) => Float32Array) | undefined {
  const m = /^blk\.\d+\.attn_([qk])\.(weight|bias)$/.exec(name);
  if (!m) return undefined;
  const heads = m[1] === "q" ? shape.nHead : shape.nHeadKv;
  const rows = heads * shape.headDim;
  // A weight is [rows, E] row-major; a bias is [rows], i.e. rows of one value.
  return (v) => permuteRowsHfToGguf(v, rows, v.length / rows, heads);
}

function listText(names: readonly string[]): string {
  return names.slice(0, 8).join(", ") + (names.length > 8 ? ` (+${names.length - 8} more)` : "");
}

/** Plans the tensors of the GGUF; throws naming every missing, misshapen, unknown or non-float tensor. */
/**
 * The checkpoint's tensors under the names the architecture's module paths use: a multimodal wrapper's prefixes
 * ("language_model.model.") read as the plain decoder's ("model."), each mapped back to the name the file holds.
 */
function aliasedNames(arch: ArchDefinition, checkpoint: Checkpoint): Map<string, string> {
  const aliases = arch.hf.prefixAliases ?? [];
  const byModulePath = new Map<string, string>();
  for (const name of checkpoint.tensors.keys()) {
    const alias = aliases.find(([from]) => name.startsWith(from));
    const modulePath = alias ? alias[1] + name.slice(alias[0].length) : name;
    // A plain name wins over an aliased one that reads the same (a checkpoint holding both is refused below as unknown).
    if (!byModulePath.has(modulePath) || !alias) byModulePath.set(modulePath, name);
  }
  return byModulePath;
}

/** Plans the tensors of the GGUF; throws naming every missing, misshapen, unknown or non-float tensor. */
export function planTensors(folder: string, arch: ArchDefinition, shape: DecoderShape, checkpoint: Checkpoint): TensorPlan {
  const toHf = hfNames(arch, shape.nLayer);
  const inFile = aliasedNames(arch, checkpoint);
  const lmHead = toHf.get("output.weight");
  const lmHeadInFile = lmHead !== undefined ? inFile.get(lmHead) : undefined;
  // transformers ties lm_head to embed_tokens whenever the config says so, whatever the file holds.
  const tiedEmbeddings = lmHeadInFile === undefined || shape.tiedEmbeddings;
  const skipped: string[] = [];
  if (lmHeadInFile !== undefined && tiedEmbeddings) skipped.push(lmHeadInFile);

  const tensors: PlannedTensor[] = [];
  const used = new Set<string>(skipped);
  const missing: string[] = [];
  const misshapen: string[] = [];
  for (const spec of decoderTensorSpecs(arch, { ...shape, tiedEmbeddings })) {
    if (spec.name === "output.weight" && tiedEmbeddings) continue;
    const modulePath = toHf.get(spec.name);
    const hfName = modulePath !== undefined ? inFile.get(modulePath) : undefined;
    const source = hfName !== undefined ? checkpoint.tensors.get(hfName) : undefined;
    if (!source) {
      if (!spec.optional) missing.push(modulePath ?? spec.name);
      continue;
    }
    used.add(hfName!);
    const ne = [...source.info.shape].reverse();
    if (ne.length !== spec.ne.length || ne.some((d, i) => d !== spec.ne[i])) {
      misshapen.push(`${hfName} [${source.info.shape.join(", ")}] (config.json implies [${[...spec.ne].reverse().join(", ")}])`);
      continue;
    }
    if (!FLOAT_DTYPES.includes(source.info.dtype)) {
      throw new UnsupportedTensorTypeError({
        en: `${folder}: tensor "${hfName}" is ${source.info.dtype}; models import reads ${FLOAT_DTYPES.join(", ")} weights. Use the checkpoint's unquantized release`,
        ko: `${folder}: 텐서 "${hfName}"은(는) ${source.info.dtype}입니다. models import는 ${FLOAT_DTYPES.join(", ")} 가중치를 읽습니다. 양자화하지 않은 체크포인트를 쓰세요`,
      });
    }
    const permute = arch.permutesQk ? qkPermutation(spec.name, shape) : undefined;
    const offset = spec.name.endsWith("norm.weight") ? (arch.hf.normWeightOffset ?? 0) : 0;
    const shift = offset !== 0 ? (v: Float32Array) => v.map((x) => x + offset) : undefined;
    const transform = permute ?? shift;
    tensors.push({ name: spec.name, ne, role: spec.role, source, ...(transform ? { transform } : {}) });
  }
  const otherModel = (name: string) => (arch.hf.skippedPrefixes ?? []).some((p) => name.startsWith(p));
  for (const name of checkpoint.tensors.keys()) if (!used.has(name) && (NOT_WEIGHTS.test(name) || otherModel(name))) (used.add(name), skipped.push(name));
  const unknown = [...checkpoint.tensors.keys()].filter((n) => !used.has(n));

  if (missing.length > 0) {
    throw new HfModelError(folder, {
      en: `the checkpoint lacks ${missing.length} tensor(s) the ${arch.name} architecture needs: ${listText(missing)}. Check that every shard is downloaded and that config.json belongs to these weights`,
      ko: `체크포인트에 ${arch.name} 아키텍처가 필요로 하는 텐서 ${missing.length}개가 없습니다: ${listText(missing)}. 모든 샤드를 받았는지, config.json이 이 가중치의 것인지 확인하세요`,
    });
  }
  if (misshapen.length > 0) {
    throw new HfModelError(folder, {
      en: `tensor shapes do not match config.json: ${listText(misshapen)}. config.json and the weights come from different models`,
      ko: `텐서 모양이 config.json과 맞지 않습니다: ${listText(misshapen)}. config.json과 가중치가 서로 다른 모델의 것입니다`,
    });
  }
  if (unknown.length > 0) {
    throw new HfModelError(folder, {
      en: `the checkpoint holds ${unknown.length} tensor(s) that ${arch.name} in llama.cpp has no place for: ${listText(unknown)}. It is not a plain ${arch.hf.architectures.join(" / ")} checkpoint (adapters merged? another variant?)`,
      ko: `체크포인트에 llama.cpp의 ${arch.name}에 자리가 없는 텐서 ${unknown.length}개가 있습니다: ${listText(unknown)}. 일반 ${arch.hf.architectures.join(" / ")} 체크포인트가 아닙니다 (어댑터가 합쳐졌거나 다른 변형)`,
    });
  }
  return { tensors, tiedEmbeddings, skipped };
}
