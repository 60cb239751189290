// The dataset's size in tokens: the prepared records' own counts, else the model's tokenizer, else an upper bound
// (UTF-8 bytes: a tokenizer with byte fallback never needs more tokens than bytes). Which one was used is reported.
import fs from "node:fs";
import path from "node:path";
import { FileNotFoundError, InvalidConfigError } from "../errors.js";
import { DatasetRecordSchema, type DatasetRecord } from "../data/schema.js";

export interface DatasetTokens {
  tokens: number;
  /** records: the `tokens` field of every record; tokenizer: counted now; bytes-upper-bound: no tokenizer given. */
  source: "records" | "tokenizer" | "bytes-upper-bound";
  files: string[];
  records: number;
}

/** Counts the tokens of one text (the model's tokenizer, through node-llama-cpp). */
export type TokenCounter = (text: string) => number;

function recordText(r: DatasetRecord): string {
  return r.kind === "text" ? r.text : r.messages.map((m) => m.content).join("\n");
}

function readJsonl(file: string): DatasetRecord[] {
  const records: DatasetRecord[] = [];
  const lines = fs.readFileSync(file, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new InvalidConfigError({
        en: `${file}:${i + 1}: not JSON (${(error as Error).message}). Each line of a dataset file must be one JSON record.`,
        ko: `${file}:${i + 1}: JSON이 아닙니다 (${(error as Error).message}). 데이터셋 파일의 각 줄은 JSON 레코드 하나여야 합니다.`,
      });
    }
    const parsed = DatasetRecordSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidConfigError({
        en: `${file}:${i + 1}: not a dataset record (${parsed.error.issues[0]?.message}). Prepare the data with \`localtune data prepare\`.`,
        ko: `${file}:${i + 1}: 데이터셋 레코드가 아닙니다 (${parsed.error.issues[0]?.message}). \`localtune data prepare\`로 데이터를 준비하세요.`,
      });
    }
    records.push(parsed.data);
  });
  return records;
}

/** Counts a prepared dataset folder (its train.jsonl), a .jsonl file of records, or a plain text file. */
export function countDatasetTokens(input: string, count?: TokenCounter): DatasetTokens {
  if (!fs.existsSync(input)) throw new FileNotFoundError(input, "dataset");
  const file = fs.statSync(input).isDirectory() ? path.join(input, "train.jsonl") : input;
  if (!fs.existsSync(file)) {
    throw new InvalidConfigError({
      en: `${input} is a folder without train.jsonl: give a prepared dataset folder, a .jsonl file or a text file.`,
      ko: `${input} 폴더에 train.jsonl이 없습니다: 준비된 데이터셋 폴더, .jsonl 파일 또는 텍스트 파일을 지정하세요.`,
    });
  }
  const texts: string[] = [];
  let recorded: number | null = 0;
  if (file.endsWith(".jsonl")) {
    for (const r of readJsonl(file)) {
      texts.push(recordText(r));
      recorded = r.kind === "text" && r.tokens !== undefined && recorded !== null ? recorded + r.tokens : null;
    }
  } else {
    texts.push(fs.readFileSync(file, "utf8").normalize("NFC"));
    recorded = null;
  }
  const base = { files: [file], records: texts.length };
  if (recorded !== null && texts.length > 0) return { ...base, tokens: recorded, source: "records" };
  if (count) return { ...base, tokens: texts.reduce((n, t) => n + count(t), 0), source: "tokenizer" };
  // Plus one per record for a BOS token.
  return { ...base, tokens: texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8") + 1, 0), source: "bytes-upper-bound" };
}
