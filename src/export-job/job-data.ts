// The training data of a job as documents and conversations, read the way `localtune train` reads them: .txt/.md
// files (one document each, NFC) and prepared dataset folders (their text chunks and chat records, split by split).
// The dataset writers turn these into each trainer's own files; nothing is dropped on the way.
import fs from "node:fs";
import path from "node:path";
import { DatasetRecordSchema, type ChatMessage } from "../data/schema.js";
import { FileNotFoundError, InvalidConfigError, InvalidDatasetError } from "../errors.js";
import type { TrainConfig } from "../train/config.js";
// The same file listing training reads, so the exported data is the run's data.
import { textFilesIn } from "../train/data.js";


/** A text document (or a prepared chunk of one): every token of it is a training target, as in DAPT. */
export interface TextDocument {
  source: string;
  text: string;
}

/** A conversation: only the assistant turns (and their end-of-turn marker) are training targets. */
export interface Conversation {
  source: string;
  id: string;
  messages: ChatMessage[];
}

export interface SplitData {
  texts: TextDocument[];
  chats: Conversation[];
}

export interface JobData {
  train: SplitData;
  val: SplitData;
}

const isDatasetFolder = (input: string) => fs.statSync(input).isDirectory() && fs.existsSync(path.join(input, "manifest.json"));

/** Reads the run's training data, and its validation data (valData, else the val split of its dataset folders). */
export function readJobData(config: Pick<TrainConfig, "data" | "valData">): JobData {
  const train = readSplit(config.data, "train");
  const val = config.valData.length > 0 ? readSplit(config.valData, "val") : readSplit(config.data.filter((d) => fs.existsSync(d) && isDatasetFolder(d)), "val");
  if (train.texts.length === 0 && train.chats.length === 0) {
    throw new InvalidConfigError({ en: `the training data (${config.data.join(", ")}) holds no documents or conversations.`, ko: `학습 데이터(${config.data.join(", ")})에 문서나 대화가 없습니다.` });
  }
  return { train, val };
}

function readSplit(inputs: readonly string[], split: "train" | "val"): SplitData {
  const out: SplitData = { texts: [], chats: [] };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "training data");
    if (isDatasetFolder(input)) {
      readDatasetSplit(input, split, out);
      continue;
    }
    for (const file of textFilesIn(input)) out.texts.push({ source: file, text: fs.readFileSync(file, "utf8").normalize("NFC") });
  }
  return out;
}

/** The records of one split of a prepared dataset folder (`<split>.jsonl`, one DatasetRecord per line). */
function readDatasetSplit(folder: string, split: "train" | "val", out: SplitData): void {
  const file = path.join(folder, `${split}.jsonl`);
  if (!fs.existsSync(file)) return;
  const lines = fs.readFileSync(file, "utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new InvalidDatasetError({ en: `${file}:${i + 1} is not valid JSON (${(error as Error).message}); prepare the dataset again.`, ko: `${file}:${i + 1}이(가) 올바른 JSON이 아닙니다 (${(error as Error).message}). 데이터셋을 다시 준비하세요.` });
    }
    const parsed = DatasetRecordSchema.safeParse(json);
    if (!parsed.success) {
      const problem = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
      throw new InvalidDatasetError({ en: `${file}:${i + 1} is not a dataset record (${problem}); prepare the dataset again.`, ko: `${file}:${i + 1}이(가) 데이터셋 레코드가 아닙니다 (${problem}). 데이터셋을 다시 준비하세요.` });
    }
    const record = parsed.data;
    if (record.kind === "text") out.texts.push({ source: `${record.source} (${record.id})`, text: record.text });
    else out.chats.push({ source: record.source, id: record.id, messages: record.messages });
  }
}
