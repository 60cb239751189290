// The small GGUF files of soft-prompt adapters (prompt tuning, prefix tuning): writing them, and opening one with
// checks that it is the expected kind of adapter, for this base architecture, with tensors of the model's shapes.
// Layout (README, "Prompt tuning and prefix tuning"): general.type "adapter", adapter.type "prompt-tuning" or
// "prefix-tuning", general.architecture of the base, F32 tensors named by each method.
import fs from "node:fs";
import type { EngineModel } from "../../engine/model.js";
import { AdapterFormatError, AdapterMismatchError, FileNotFoundError } from "../../errors.js";
import { dequantize, GgmlType, readGguf, writeGguf, type GgufFile, type GgufTensorInput, type GgufValue } from "../../formats/gguf/index.js";

export type SoftPromptAdapterType = "prompt-tuning" | "prefix-tuning";

/** Writes an adapter file (temp file, then rename). `metadata` adds the method's own keys. */
export async function writeSoftPromptAdapter(
  file: string,
  model: EngineModel,
  adapterType: SoftPromptAdapterType,
  metadata: Record<string, GgufValue>,
  tensors: ReadonlyArray<{ name: string; ne: number[]; data: Float32Array }>,
): Promise<void> {
  await writeGguf(file, {
    metadata: {
      "general.architecture": { type: "string", value: model.hparams.arch },
      "general.type": { type: "string", value: "adapter" },
      "general.name": { type: "string", value: `localtune ${adapterType}` },
      "adapter.type": { type: "string", value: adapterType },
      ...metadata,
    },
    tensors: tensors.map((t): GgufTensorInput => ({ name: t.name, type: GgmlType.F32, ne: t.ne, data: t.data })),
  });
}

/** An adapter file that passed the kind and architecture checks. */
export interface OpenedAdapter {
  gguf: GgufFile;
  /** The tensor `name` as F32, after checking its shape is `ne`. */
  tensor(name: string, ne: readonly number[], what: { en: string; ko: string }): Float32Array;
  /** A required integer metadata value. */
  count(key: string): number;
}

export function openSoftPromptAdapter(file: string, model: EngineModel, adapterType: SoftPromptAdapterType): OpenedAdapter {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "adapter");
  const gguf = readGguf(file);
  const generalType = gguf.getString("general.type", undefined);
  if (generalType !== "adapter") {
    throw new AdapterFormatError(file, {
      en: `general.type is ${generalType === undefined ? "missing" : `"${generalType}"`}, expected "adapter" (is this a model file rather than an adapter?)`,
      ko: `general.type이 ${generalType === undefined ? "없습니다" : `"${generalType}"입니다`}. "adapter"여야 합니다 (어댑터가 아니라 모델 파일인가요?)`,
    });
  }
  const found = gguf.getString("adapter.type", undefined);
  if (found !== adapterType) {
    throw new AdapterFormatError(file, {
      en: `adapter.type is ${found === undefined ? "missing" : `"${found}"`}, expected "${adapterType}"; load each kind of adapter with its own loader`,
      ko: `adapter.type이 ${found === undefined ? "없습니다" : `"${found}"입니다`}. "${adapterType}"이어야 합니다. 어댑터 종류에 맞는 로더로 불러오세요`,
    });
  }
  const arch = gguf.getString("general.architecture", undefined);
  if (arch !== model.hparams.arch) {
    throw new AdapterMismatchError(file, model.file.file, {
      en: `the adapter is for architecture "${arch ?? "(missing)"}", the model is "${model.hparams.arch}"`,
      ko: `어댑터의 아키텍처는 "${arch ?? "(없음)"}", 모델은 "${model.hparams.arch}"입니다`,
    });
  }
  return {
    gguf,
    count(key) {
      const n = gguf.getInt(key, undefined);
      if (n === undefined || n < 1) {
        throw new AdapterFormatError(file, { en: `${key} is missing or not a positive integer`, ko: `${key}이(가) 없거나 양의 정수가 아닙니다` });
      }
      return n;
    },
    tensor(name, ne, what) {
      const info = gguf.findTensor(name);
      if (!info) throw new AdapterFormatError(file, { en: `tensor ${name} is missing`, ko: `텐서 ${name}이(가) 없습니다` });
      if (info.ne.length !== ne.length || info.ne.some((n, i) => n !== ne[i])) {
        throw new AdapterMismatchError(file, model.file.file, {
          en: `tensor ${name} has shape [${info.ne.join(", ")}], this model needs [${ne.join(", ")}] (${what.en})`,
          ko: `텐서 ${name}의 모양은 [${info.ne.join(", ")}]인데 이 모델에는 [${ne.join(", ")}]이(가) 필요합니다 (${what.ko})`,
        });
      }
      return dequantize(info.type, gguf.readTensorData(info), info.elementCount);
    },
  };
}
