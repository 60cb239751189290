// The on-disk shape of a prepared dataset folder: what `localtune data prepare` writes and what training, RAG and
// evaluation read. Changing a field here changes the dataset format: bump DATASET_FORMAT_VERSION.
import { z } from "zod";

export const DATASET_FORMAT_VERSION = 1;

/** A chunk of a source document: the unit of DAPT text, of RAG retrieval and of citation. */
export const TextRecordSchema = z.object({
  kind: z.literal("text"),
  id: z.string().describe("stable id: <docId>#<chunk index>"),
  docId: z.string().describe("sha256 of the normalised source document (first 16 hex digits)"),
  source: z.string().describe("path of the source file, relative to the input root it came from"),
  headingPath: z.array(z.string()).describe('headings enclosing the chunk, outermost first (e.g. ["제4장 근로시간과 휴식", "제60조(연차 유급휴가)"])'),
  citation: z.string().describe('human-readable citation used by RAG answers, e.g. "근로기준법 제60조(연차 유급휴가)"'),
  lang: z.enum(["ko", "en", "other"]).describe("detected language of the chunk"),
  text: z.string().describe("the chunk text, Unicode NFC"),
  tokens: z.number().int().nonnegative().optional().describe("token count with the dataset's tokenizer, when one was given"),
  metadata: z.record(z.string(), z.unknown()).optional().describe("front matter or other per-document metadata"),
});
export type TextRecord = z.infer<typeof TextRecordSchema>;

export const ChatMessageSchema = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** An instruction / conversation sample: only assistant turns train (the loss mask). */
export const ChatRecordSchema = z.object({
  kind: z.literal("chat"),
  id: z.string(),
  docId: z.string(),
  source: z.string(),
  lang: z.enum(["ko", "en", "other"]),
  messages: z.array(ChatMessageSchema).min(1),
  tokens: z.number().int().nonnegative().optional().describe("length of the rendered conversation with the dataset's tokenizer (estimated without one)"),
  metadata: z.record(z.string(), z.unknown()).optional().describe("per-sample metadata, e.g. the source line"),
});
export type ChatRecord = z.infer<typeof ChatRecordSchema>;

/** One line of train.jsonl / val.jsonl / test.jsonl. */
export const DatasetRecordSchema = z.discriminatedUnion("kind", [TextRecordSchema, ChatRecordSchema]);
export type DatasetRecord = z.infer<typeof DatasetRecordSchema>;

export const SPLIT_NAMES = ["train", "val", "test"] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
