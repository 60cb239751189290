// The checkpoint of a Hugging Face folder as one set of tensors: model.safetensors, or the shards listed in
// model.safetensors.index.json (weight_map: tensor name -> shard file), each shard's header checked against the index.
import fs from "node:fs";
import path from "node:path";
import { FileNotFoundError, HfModelError } from "../errors.js";
import { readSafetensors, type SafetensorsFile, type SafetensorsTensorInfo } from "../formats/safetensors/index.js";
import { isJsonObject, readJsonFile } from "./hf-files.js";

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";

/** One tensor of the checkpoint and the file that holds it. */
export interface CheckpointTensor {
  file: SafetensorsFile;
  info: SafetensorsTensorInfo;
}

/** Every tensor of the checkpoint by name, and the files read. */
export interface Checkpoint {
  tensors: Map<string, CheckpointTensor>;
  files: string[];
}

function fromIndex(folder: string): Checkpoint {
  const index = readJsonFile(folder, INDEX_FILE, "safetensors index");
  const weightMap = index["weight_map"];
  if (!isJsonObject(weightMap) || !Object.values(weightMap).every((v) => typeof v === "string")) {
    throw new HfModelError(folder, { en: `${INDEX_FILE} has no "weight_map" of tensor name -> shard file`, ko: `${INDEX_FILE}에 텐서 이름 -> 샤드 파일의 "weight_map"이 없습니다` });
  }
  const shards = new Map<string, SafetensorsFile>();
  for (const shard of new Set(Object.values(weightMap) as string[])) {
    // A shard name is a plain file name beside the index: anything else would read outside the folder.
    if (path.basename(shard) !== shard) {
      throw new HfModelError(folder, { en: `${INDEX_FILE} names the shard "${shard}", which is not a file name in the folder`, ko: `${INDEX_FILE}가 폴더 안의 파일 이름이 아닌 샤드 "${shard}"를 가리킵니다` });
    }
    const file = path.join(folder, shard);
    if (!fs.existsSync(file)) throw new FileNotFoundError(file, `safetensors shard listed in ${INDEX_FILE} (download every shard)`);
    shards.set(shard, readSafetensors(file));
  }
  const tensors = new Map<string, CheckpointTensor>();
  for (const [name, shard] of Object.entries(weightMap) as Array<[string, string]>) {
    const file = shards.get(shard)!;
    const info = file.findTensor(name);
    if (!info) {
      throw new HfModelError(folder, { en: `${INDEX_FILE} puts "${name}" in ${shard}, but that shard does not hold it; the download is incomplete or mixes two revisions`, ko: `${INDEX_FILE}에는 "${name}"이(가) ${shard}에 있다고 되어 있지만 그 샤드에 없습니다. 다운로드가 덜 되었거나 두 버전이 섞였습니다` });
    }
    tensors.set(name, { file, info });
  }
  return { tensors, files: [...shards.keys()].map((s) => path.join(folder, s)) };
}

/** Opens the checkpoint's headers (data stays on disk until a tensor is read). */
export function openCheckpoint(folder: string): Checkpoint {
  if (fs.existsSync(path.join(folder, INDEX_FILE))) return fromIndex(folder);
  const single = path.join(folder, SINGLE_FILE);
  if (!fs.existsSync(single)) {
    const pickles = fs.readdirSync(folder).filter((f) => /^pytorch_model.*\.bin$/.test(f));
    if (pickles.length > 0) {
      throw new HfModelError(folder, {
        en: `only ${pickles.join(", ")} (Python pickles) hold the weights; localtune reads safetensors. Download the repository's *.safetensors files (most publish them) or save with safe_serialization=True`,
        ko: `가중치가 ${pickles.join(", ")}(Python pickle)에만 있습니다. localtune은 safetensors를 읽습니다. 저장소의 *.safetensors 파일을 받거나(대부분 함께 배포) safe_serialization=True로 저장하세요`,
      });
    }
    throw new FileNotFoundError(single, `model weights (${SINGLE_FILE}, or ${INDEX_FILE} with its shards)`);
  }
  const file = readSafetensors(single);
  return { tensors: new Map(file.tensors.map((info) => [info.name, { file, info }])), files: [single] };
}
