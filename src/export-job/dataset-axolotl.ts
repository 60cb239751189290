// The job's data in Axolotl's own dataset types: text as `completion` records ({"text": ...}: every token trains, as
// in localtune's DAPT stream), conversations as `chat_template` records ({"messages": [{role, content}]}) trained on
// the assistant turns and the end-of-turn token after each (roles_to_train [assistant], train_on_eos turn): the loss
// mask localtune's data preparation builds.
import fs from "node:fs";
import path from "node:path";
import type { JobData, SplitData } from "./job-data.js";
import { chunkText, type TokenCounter } from "./text-chunks.js";

/** Axolotl's completion type truncates a record at 64 x sequence_len tokens; records stay at half that, for tokenizer differences. */
export const AXOLOTL_RECORD_SEQUENCES = 32;

export interface WrittenDataset {
  /** Path relative to the job folder. */
  file: string;
  kind: "text" | "chat";
  split: "train" | "val";
  records: number;
}

/** One Axolotl `datasets:` / `test_datasets:` entry for a written file (keys from axolotl's SFTDataset schema). */
export function axolotlDatasetEntry(dataset: WrittenDataset): Record<string, unknown> {
  const common = { path: dataset.file, ds_type: "json", ...(dataset.split === "val" ? { split: "train", data_files: [dataset.file] } : {}) };
  if (dataset.kind === "text") return { ...common, type: "completion", field: "text" };
  return {
    ...common,
    type: "chat_template",
    chat_template: "tokenizer_default",
    field_messages: "messages",
    message_property_mappings: { role: "role", content: "content" },
    roles_to_train: ["assistant"],
    train_on_eos: "turn",
  };
}

/** Writes data/<split>-text.jsonl and data/<split>-chat.jsonl (those that have records) under `jobDir`. */
export function writeAxolotlDatasets(jobDir: string, data: JobData, ctx: number, count: TokenCounter): WrittenDataset[] {
  fs.mkdirSync(path.join(jobDir, "data"), { recursive: true });
  const written: WrittenDataset[] = [];
  const maxTokens = AXOLOTL_RECORD_SEQUENCES * ctx;
  for (const [split, part] of [["train", data.train], ["val", data.val]] as Array<["train" | "val", SplitData]>) {
    if (part.texts.length > 0) {
      const lines = part.texts.flatMap((doc) => chunkText(doc.text, maxTokens, count)).map((text) => JSON.stringify({ text }));
      written.push(writeJsonl(jobDir, `data/${split}-text.jsonl`, lines, "text", split));
    }
    if (part.chats.length > 0) {
      const lines = part.chats.map((chat) => JSON.stringify({ messages: chat.messages.map((m) => ({ role: m.role, content: m.content })) }));
      written.push(writeJsonl(jobDir, `data/${split}-chat.jsonl`, lines, "chat", split));
    }
  }
  return written;
}

function writeJsonl(jobDir: string, file: string, lines: string[], kind: "text" | "chat", split: "train" | "val"): WrittenDataset {
  fs.writeFileSync(path.join(jobDir, file), lines.join("\n") + "\n");
  return { file, kind, split, records: lines.length };
}
