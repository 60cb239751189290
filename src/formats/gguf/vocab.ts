// Tokenizer vocabularies out of a GGUF file (e.g. llama.cpp's models/ggml-vocab-*.gguf), to copy into generated models.
import { readGguf } from "./reader.js";
import type { GgufValue } from "./values.js";

/**
 * The `tokenizer.*` metadata of a GGUF file, typed and in file order (tokens, scores, token types, merges, special token
 * ids, pre-tokenizer, chat template...): spread it into `writeGguf`'s metadata to give a generated model a real vocabulary.
 */
export function readVocabMetadata(path: string): Map<string, GgufValue> {
  const file = readGguf(path);
  return new Map([...file.metadata].filter(([key]) => key.startsWith("tokenizer.")));
}
