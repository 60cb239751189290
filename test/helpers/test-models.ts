// Random-weight test models of each architecture with real tokenizer vocabularies, written once per test process
// into a temp folder (they are generated, not committed).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeRandomModel, type RandomModelOptions } from "../../src/engine/random-model.js";
import { encodeTensor } from "../../src/engine/quantize.js";
import { GgmlType, ggmlTypeInfo, readGguf, writeGguf } from "../../src/formats/gguf/index.js";
import { dequantize } from "../../src/formats/quant/convert.js";

export const STORIES_260K = path.resolve("models/stories260K.gguf");
const VOCAB_DIR = path.resolve("test/fixtures/vocab");

/** Small shapes that still exercise GQA, biases (qwen2), q/k norms and a head width != E/H (qwen3), tied embeddings. */
export const TEST_MODEL_SHAPES: Record<string, Omit<RandomModelOptions, "weightType" | "seed">> = {
  llama: { arch: "llama", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 2, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-llama-spm.gguf") },
  // K-quants pack 256 values per block: every row length (E and F) must be a multiple of 256.
  llamaWide: { arch: "llama", nLayer: 1, nEmbd: 256, nFf: 512, nHead: 4, nHeadKv: 2, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-llama-spm.gguf") },
  qwen2: { arch: "qwen2", nLayer: 2, nEmbd: 64, nFf: 96, nHead: 4, nHeadKv: 2, tiedEmbeddings: true, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-qwen2.gguf") },
  qwen3: { arch: "qwen3", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 2, headDim: 32, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-qwen2.gguf") },
  // llama.cpp ships no Gemma 3 or EXAONE vocabulary: a SentencePiece one (Gemma's kind) and a byte-level BPE one
  // (EXAONE's kind) stand in. Gemma 3: a window of 4 with period 2, so block 0 is windowed and block 1 global, and the
  // parity texts (over 8 tokens) cross the window.
  gemma3: { arch: "gemma3", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 2, headDim: 32, tiedEmbeddings: true, slidingWindow: { width: 4, pattern: 2, ropeFreqBase: 10000 }, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-llama-spm.gguf") },
  exaone: { arch: "exaone", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 2, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-qwen2.gguf") },
  exaone4: { arch: "exaone4", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 2, tiedEmbeddings: true, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-qwen2.gguf") },
  phi3: { arch: "phi3", nLayer: 2, nEmbd: 64, nFf: 128, nHead: 4, nHeadKv: 4, vocabFile: path.join(VOCAB_DIR, "ggml-vocab-phi-3.gguf") },
};

let tempDir: string | undefined;

/** Path of a generated model (created on first use in this process). */
export async function testModelPath(arch: keyof typeof TEST_MODEL_SHAPES, weightType: GgmlType = GgmlType.F32): Promise<string> {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "localtune-models-"));
  const file = path.join(tempDir, `${arch}-${weightType}.gguf`);
  if (!fs.existsSync(file)) await writeRandomModel(file, { ...TEST_MODEL_SHAPES[arch]!, weightType, seed: 7 });
  return file;
}

/**
 * `arch`'s test model widened so every row holds a multiple of 256 values (E 256, F 512, H D 256), as K-quants need:
 * one block, untied embeddings, the architecture's own vocabulary, block options and sliding window.
 */
export async function wideTestModelPath(arch: string, weightType: GgmlType): Promise<string> {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "localtune-models-"));
  const file = path.join(tempDir, `${arch}-wide-${weightType}.gguf`);
  const { headDim: _narrowHeads, ...shape } = TEST_MODEL_SHAPES[arch]!;
  // Untied: with one block, a tied head scores every token by its similarity to the input token's own embedding, so
  // the input token takes nearly all the probability and the comparison would see a one-hot distribution.
  if (!fs.existsSync(file)) await writeRandomModel(file, { ...shape, nLayer: 1, nEmbd: 256, nFf: 512, tiedEmbeddings: false, weightType, seed: 7 });
  return file;
}

/** stories260K with its 2-D weights stored as `type` where the row length allows (others stay F32): a real pretrained quantized base. */
export async function quantizedStoriesPath(type: GgmlType): Promise<string> {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "localtune-models-"));
  const file = path.join(tempDir, `stories260K-${type}.gguf`);
  if (fs.existsSync(file)) return file;
  const source = readGguf(STORIES_260K);
  const block = ggmlTypeInfo(type).blockSize;
  const tensors = await Promise.all(
    source.tensors.map(async (info) => {
      const values = dequantize(info.type, source.readTensorData(info), info.elementCount);
      const convert = info.ne.length >= 2 && info.ne[0]! % block === 0;
      return { name: info.name, ne: info.ne, type: convert ? type : GgmlType.F32, data: await encodeTensor(convert ? type : GgmlType.F32, values, info.ne[0]!) };
    }),
  );
  const metadata = new Map(source.metadata);
  metadata.delete("general.alignment");
  await writeGguf(file, { metadata, tensors });
  return file;
}
