// manifest.json and stats.json of a dataset folder: what went in (every source with its sha256, every skip and
// removal with the reason), the settings, and the numbers `data stats` prints.
import { z } from "zod";
import { SPLIT_NAMES } from "./schema.js";

export const SourceEntrySchema = z.object({
  path: z.string().describe("path relative to its input root"),
  sha256: z.string().describe("sha256 of the file's bytes"),
  bytes: z.number().describe("file size"),
  format: z.string().describe("reader used (md, txt, html, pdf, docx, jsonl, json, csv)"),
  encoding: z.string().optional().describe("text encoding detected"),
  documents: z.number().describe("text documents read"),
  chatSamples: z.number().describe("conversations read"),
  shapes: z.array(z.string()).describe("instruction-data shapes recognised"),
  unusedFields: z.array(z.string()).describe("fields or columns present but not used"),
  frontMatter: z.record(z.string(), z.unknown()).optional().describe("YAML front matter"),
  notes: z.array(z.string()).describe("warnings from the reader"),
});

export const SkipSchema = z.object({
  source: z.string().describe("file (relative path)"),
  line: z.number().optional().describe("1-based line for line-oriented inputs"),
  reason: z.string().describe("machine-readable reason"),
  message: z.string().describe("what was wrong and what to do"),
});

export const RemovalSchema = z.object({
  level: z.enum(["document", "chunk"]).describe("whole document or one chunk / sample"),
  kind: z.enum(["exact", "near", "cross-split", "template"]).describe("exact duplicate, near duplicate, near duplicate of a record in an earlier split, or a conversation the chat template could not mask"),
  source: z.string().describe("file the removed text came from"),
  id: z.string().optional().describe("record id (chunk level)"),
  duplicateOf: z.string().optional().describe("source or record id of the text that was kept"),
  jaccard: z.number().optional().describe("similarity to the kept text"),
  split: z.string().optional().describe("split the removed record was assigned to"),
  detail: z.string().optional().describe("explanation"),
});

export const ManifestSchema = z.object({
  formatVersion: z.number().describe("DATASET_FORMAT_VERSION of the writer"),
  createdAt: z.string().describe("ISO time"),
  settings: z.record(z.string(), z.unknown()).describe("resolved PrepareOptions"),
  tokenizer: z.object({ kind: z.enum(["model", "estimate"]), description: z.string(), key: z.string().optional(), chatTemplate: z.string().optional() }).describe("how tokens were counted"),
  sources: z.array(SourceEntrySchema).describe("every file read"),
  skipped: z.array(SkipSchema).describe("every file or record not used, with the reason"),
  removed: z.array(RemovalSchema).describe("every duplicate removed, with what it duplicated"),
  counts: z.record(z.string(), z.number()).describe("records per split"),
  files: z.record(z.string(), z.string()).describe("the folder's files by role"),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type Removal = z.infer<typeof RemovalSchema>;
export type SourceEntry = z.infer<typeof SourceEntrySchema>;

const SplitStatsSchema = z.object({
  records: z.number(),
  textRecords: z.number(),
  chatRecords: z.number(),
  documents: z.number().describe("distinct documents (files, or conversations) in the split"),
  tokens: z.number().describe("tokens of all records"),
  textTokens: z.number().describe("tokens of text records (the DAPT stream)"),
  chatTokens: z.number().describe("tokens of rendered conversations"),
  trainableTokens: z.number().optional().describe("tokens with mask 1 in the tokenized cache"),
});

export const GuidanceSchema = z.object({
  method: z.string(),
  verdict: z.enum(["enough", "minimal", "too-little", "not-applicable"]),
  measure: z.string().describe("the number the verdict is based on, with its unit"),
  en: z.string(),
  ko: z.string(),
  basis: z.string().describe("where the thresholds come from"),
});
export type Guidance = z.infer<typeof GuidanceSchema>;

export const StatsSchema = z.object({
  formatVersion: z.number(),
  tokenizer: z.object({ kind: z.enum(["model", "estimate"]), description: z.string() }),
  splits: z.object(Object.fromEntries(SPLIT_NAMES.map((s) => [s, SplitStatsSchema])) as Record<(typeof SPLIT_NAMES)[number], typeof SplitStatsSchema>),
  sources: z.object({ read: z.number(), skipped: z.number(), bytes: z.number() }),
  documents: z.object({ kept: z.number(), exactDuplicates: z.number(), nearDuplicates: z.number() }),
  chunks: z.object({ exactDuplicates: z.number(), nearDuplicates: z.number(), crossSplit: z.number(), templateFailures: z.number() }),
  languages: z.record(z.string(), z.number()).describe("records per detected language"),
  lengthHistogram: z.array(z.object({ min: z.number(), max: z.number().nullable(), count: z.number() })).describe("records by token length"),
  nearDupThreshold: z.number(),
  guidance: z.array(GuidanceSchema),
});
export type DatasetStats = z.infer<typeof StatsSchema>;
export type SplitStats = z.infer<typeof SplitStatsSchema>;
