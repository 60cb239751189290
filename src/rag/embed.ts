// Dense vectors from a GGUF embedding model through node-llama-cpp (src/native is the only way in), unit-normalised so
// that a dot product is the cosine similarity, plus a fingerprint that ties an index to the model that built it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { LlamaEmbeddingContext, LlamaModel } from "node-llama-cpp";
// Threads follow the one rule of native/threads.ts: node-llama-cpp's default (6 for embedding contexts) spins more
// threads than cores, which is many times slower.
import { llamaContextThreads, loadLlamaModel, type GpuChoice } from "../native/llama-runtime.js";

export interface Embedder {
  /** File name of the model, for messages. */
  readonly model: string;
  /** sha256 over the model's size, first and last MiB: cheap, and different for any two real GGUF files. */
  readonly fingerprint: string;
  readonly dimensions: number;
  /** Unit-length embedding [dimensions] of a text; texts longer than the context are cut to its first tokens. */
  embed(text: string): Promise<Float32Array>;
  dispose(): Promise<void>;
}


/** Fingerprint of a model file (reads 2 MiB, not the whole file: models are gigabytes). */
export function modelFingerprint(file: string): string {
  const size = fs.statSync(file).size;
  const window = Math.min(size, 1 << 20);
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(window);
    const tail = Buffer.alloc(window);
    fs.readSync(fd, head, 0, window, 0);
    fs.readSync(fd, tail, 0, window, size - window);
    return crypto.createHash("sha256").update(String(size)).update(head).update(tail).digest("hex").slice(0, 16);
  } finally {
    fs.closeSync(fd);
  }
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalizeVector(values: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let i = 0; i < values.length; i++) norm += values[i]! * values[i]!;
  norm = Math.sqrt(norm);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = norm > 0 ? values[i]! / norm : 0;
  return out;
}

/** Loads `modelPath` and opens an embedding context on it. */
export async function createEmbedder(modelPath: string, options: { gpu?: GpuChoice; contextSize?: number } = {}): Promise<Embedder> {
  const model: LlamaModel = await loadLlamaModel(modelPath, { gpu: options.gpu });
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize, 2048);
  const context: LlamaEmbeddingContext = await model.createEmbeddingContext({ contextSize, threads: llamaContextThreads(model.llama, model) });
  // The context adds BOS/EOS and needs the input strictly shorter than itself: keep a few tokens of room.
  const maxTokens = contextSize - 8;
  const embed = async (text: string) => {
    const tokens = model.tokenize(text.normalize("NFC"));
    const input = tokens.length > maxTokens ? tokens.slice(0, maxTokens) : tokens;
    return normalizeVector((await context.getEmbeddingFor(input)).vector);
  };
  const dimensions = (await embed("dimension probe")).length;
  return {
    model: path.basename(modelPath),
    fingerprint: modelFingerprint(modelPath),
    dimensions,
    embed,
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
}
