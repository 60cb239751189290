// The job's data in LLaMA-Factory's own formats (data/README.md): text as pre-training records ({"text": ...}, one per
// document: stage pt joins them with EOS and cuts blocks of cutoff_len, as localtune cuts its token stream), and
// conversations in the OpenAI flavour of the sharegpt format ({"messages": [{role, content}]}), whose assistant turns
// are the targets in stage sft. Every file gets its dataset_info.json entry.
import fs from "node:fs";
import path from "node:path";
import { ExportJobError } from "../errors.js";
import type { Conversation, JobData, SplitData } from "./job-data.js";
import type { WrittenDataset } from "./dataset-axolotl.js";

export interface LlamaFactoryDataset extends WrittenDataset {
  /** The dataset's name in dataset_info.json (what `dataset:` / `eval_dataset:` name). */
  name: string;
}

/** The dataset_info.json entry of a written file (keys from LLaMA-Factory's data/README.md). */
export function llamaFactoryInfoEntry(dataset: WrittenDataset): Record<string, unknown> {
  const file_name = path.basename(dataset.file);
  if (dataset.kind === "text") return { file_name, columns: { prompt: "text" } };
  return {
    file_name,
    formatting: "sharegpt",
    columns: { messages: "messages" },
    tags: { role_tag: "role", content_tag: "content", user_tag: "user", assistant_tag: "assistant", system_tag: "system" },
  };
}

/**
 * The sharegpt rule of LLaMA-Factory: an optional system message first, then user and assistant turns alternating,
 * user first, assistant last (it drops other conversations while loading, so they are refused here instead).
 */
export function sharegptProblem(messages: readonly { role: string }[]): string | undefined {
  const turns = messages[0]?.role === "system" ? messages.slice(1) : messages;
  if (turns.length === 0 || turns.length % 2 !== 0) return `${turns.length} turns after the system message; it needs user/assistant pairs`;
  for (const [i, m] of turns.entries()) {
    const expected = i % 2 === 0 ? "user" : "assistant";
    if (m.role !== expected) return `turn ${i + 1} is ${m.role} where ${expected} is expected`;
  }
  return undefined;
}

function checkConversations(chats: readonly Conversation[]): void {
  const bad = chats.flatMap((c) => {
    const problem = sharegptProblem(c.messages);
    return problem ? [`${c.id} (${c.source}): ${problem}`] : [];
  });
  if (bad.length === 0) return;
  const shown = bad.slice(0, 5).join("; ") + (bad.length > 5 ? ` (+${bad.length - 5} more)` : "");
  throw new ExportJobError({
    en: `LLaMA-Factory takes conversations as an optional system message, then user/assistant pairs, and drops the others; these do not fit: ${shown}. Fix them in the source data, or export to axolotl (its chat_template type takes any order).`,
    ko: `LLaMA-Factory는 대화를 (선택) system 메시지 다음 user/assistant 쌍으로만 받고 나머지는 버립니다. 맞지 않는 대화: ${shown}. 원본 데이터를 고치거나 axolotl로 내보내세요 (chat_template 형식은 순서 제한이 없음).`,
  });
}

/** Writes data/localtune_<split>_<kind>.jsonl and data/dataset_info.json under `jobDir`. */
export function writeLlamaFactoryDatasets(jobDir: string, data: JobData): LlamaFactoryDataset[] {
  fs.mkdirSync(path.join(jobDir, "data"), { recursive: true });
  const written: LlamaFactoryDataset[] = [];
  for (const [split, part] of [["train", data.train], ["val", data.val]] as Array<["train" | "val", SplitData]>) {
    if (part.texts.length > 0) {
      written.push(writeJsonl(jobDir, split, "text", part.texts.map((doc) => JSON.stringify({ text: doc.text }))));
    }
    if (part.chats.length > 0) {
      checkConversations(part.chats);
      written.push(writeJsonl(jobDir, split, "chat", part.chats.map((c) => JSON.stringify({ messages: c.messages.map((m) => ({ role: m.role, content: m.content })) }))));
    }
  }
  const info = Object.fromEntries(written.map((d) => [d.name, llamaFactoryInfoEntry(d)]));
  fs.writeFileSync(path.join(jobDir, "data", "dataset_info.json"), JSON.stringify(info, null, 2) + "\n");
  return written;
}

function writeJsonl(jobDir: string, split: "train" | "val", kind: "text" | "chat", lines: string[]): LlamaFactoryDataset {
  const name = `localtune_${split}_${kind}`;
  const file = `data/${name}.jsonl`;
  fs.writeFileSync(path.join(jobDir, file), lines.join("\n") + "\n");
  return { name, file, kind, split, records: lines.length };
}
