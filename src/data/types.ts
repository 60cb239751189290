// What readers hand to the preparation pipeline: plain documents (become DAPT text and RAG chunks) and chat
// samples (become instruction records), plus the list of things skipped with the reason.
import type { ChatMessage } from "./schema.js";

/** One input file found by discovery. */
export interface SourceFile {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the input root it came from (what records cite). */
  rel: string;
  /** Lower-case extension without the dot ("md", "pdf"), or "" when the file has none. */
  ext: string;
  size: number;
}

/** A prose document: its text is normalised (NFC) and may contain Markdown headings. */
export interface TextDocument {
  kind: "text";
  text: string;
  /** Title for citations: front matter title, first level-1 heading, or the file name. */
  title: string;
  /** Whether `#` heading lines in the text are structure (Markdown, HTML, DOCX) rather than literal text. */
  markdown: boolean;
  metadata: Record<string, unknown>;
  /** 1-based line of the record for line-oriented inputs. */
  line?: number;
}

/** One conversation from instruction data. */
export interface ChatSample {
  kind: "chat";
  messages: ChatMessage[];
  /** 1-based line (JSONL, CSV) or array index + 1 (JSON) of the record. */
  line?: number;
}

export type SourceItem = TextDocument | ChatSample;

/** Something not used, and why: every skip reaches manifest.json. */
export interface SkipEntry {
  source: string;
  line?: number;
  reason: string;
  message: string;
}

/** What a reader learns about its file besides the items (for the manifest). */
export interface ReadInfo {
  format: string;
  encoding?: string;
  /** For instruction data: the recognised shape (alpaca, sharegpt, openai, question-answer, prompt-completion, text). */
  shapes: Set<string>;
  /** Columns or fields present in the data that no mapping used. */
  unusedFields: Set<string>;
  frontMatter?: Record<string, unknown>;
  notes: string[];
}
