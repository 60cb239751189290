// The RAG rung's index: the training documents cut into short passages (a small model has a short context) and
// indexed with src/rag; prepared dataset folders are indexed as they are, with the chunks they already have.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import { chunkDocument } from "../data/chunk.js";
import { writeFileAtomic } from "../data/io.js";
import { detectLang } from "../data/lang.js";
import type { TextRecord } from "../data/schema.js";
import { modelCounter } from "../data/tokenizer.js";
import { FileNotFoundError } from "../errors.js";
import { indexRag, RagRetriever } from "../rag/index.js";
import { DOCUMENT_EXTENSIONS } from "../rag/sources.js";

export interface LadderRagIndex {
  retriever: RagRetriever;
  chunks: number;
  /** Inputs left out of the index, with the reason. */
  skipped: string[];
  seconds: number;
}

function isDatasetFolder(dir: string): boolean {
  return ["train.jsonl", "manifest.json"].some((name) => fs.existsSync(path.join(dir, name)));
}

/** Document files under a folder (sorted), and what was not a document. */
function documentsIn(dir: string, skipped: string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...documentsIn(full, skipped));
    else if (DOCUMENT_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) out.push(full);
    else skipped.push(`${full}: not ${DOCUMENT_EXTENSIONS.join("/")}`);
  }
  return out;
}

/**
 * Builds the index in `dir` (a fresh one each time) from the training inputs and opens it. Documents are cut at
 * paragraph, then sentence boundaries into passages of at most `passageTokens` tokens of the model's tokenizer.
 */
export async function buildLadderRagIndex(inputs: readonly string[], dir: string, vocab: LlamaModel, modelName: string, passageTokens: number): Promise<LadderRagIndex> {
  const started = performance.now();
  const skipped: string[] = [];
  const counter = modelCounter(vocab, modelName);
  const records: TextRecord[] = [];
  const indexInputs: string[] = [];
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "training data");
    const isDir = fs.statSync(input).isDirectory();
    if (isDir && isDatasetFolder(input)) {
      indexInputs.push(input);
      continue;
    }
    for (const file of isDir ? documentsIn(input, skipped) : [input]) {
      const text = fs.readFileSync(file, "utf8").normalize("NFC");
      const source = path.basename(file);
      const docId = crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
      const markdown = /\.(md|markdown)$/i.test(file);
      const lang = detectLang(text);
      chunkDocument(text, markdown, source, counter, { maxTokens: passageTokens, overlapTokens: 0 }).forEach((chunk, i) => {
        const body = chunk.text.trim();
        if (body === "") return;
        records.push({ kind: "text", id: `${docId}#${i}`, docId, source, headingPath: chunk.headingPath, citation: chunk.citation, lang, text: body, tokens: chunk.tokens });
      });
    }
  }
  if (records.length > 0) {
    const docs = path.join(dir, "passages");
    fs.mkdirSync(docs, { recursive: true });
    writeFileAtomic(path.join(docs, "train.jsonl"), records.map((r) => JSON.stringify(r) + "\n").join(""));
    indexInputs.push(docs);
  }
  const index = path.join(dir, "index");
  const report = await indexRag(indexInputs, { index, rebuild: true });
  const retriever = await RagRetriever.open({ index, thesaurus: "none" });
  return { retriever, chunks: report.chunks, skipped: [...skipped, ...report.skipped], seconds: (performance.now() - started) / 1000 };
}
