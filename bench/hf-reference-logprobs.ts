// The llama.cpp side of the by-hand PyTorch check of `models import` (bench/hf_reference_forward.py): writes random-weight
// Hugging Face folders in each architecture's layout (test/helpers/hf-families.ts, the weights test's cases), imports
// each as an F32 GGUF, and records llama.cpp's next-token log-probabilities on a fixed token list as JSON beside it.
// Not part of npm test:
//
//     node bin/run-ts.js bench/hf-reference-logprobs.ts [--out DIR] [arch ...]     (default: llama gemma3)
//     /usr/bin/python3 bench/hf_reference_forward.py DIR/<arch>                    (PyTorch float32, prints the figures)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { importHfModel } from "../src/models/index.js";
import { loadLlamaModel } from "../src/native/llama-runtime.js";
import { HF_FAMILIES, randomCheckpoint, type HfTestShape } from "../test/helpers/hf-families.js";
import { smallByteLevelTokenizer, writeHfFolder } from "../test/helpers/hf-folder.js";
import { referenceLogProbs } from "../test/helpers/reference-logprobs.js";

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const outDir = outAt >= 0 ? args.splice(outAt, 2)[1]! : path.join(os.tmpdir(), "localtune-hf-reference");
const arches = args.length > 0 ? args : ["llama", "gemma3"];

const { tokenizer, tokenizerConfig, nTokens } = smallByteLevelTokenizer();
// The weights test's shape and tokens (test/models-import-weights.test.ts): GQA, a head width other than E / H, padding ids.
const SHAPE: HfTestShape = { nLayer: 2, nEmbd: 64, nHead: 4, nHeadKv: 2, headDim: 32, nFf: 96, nVocab: nTokens + 11, tied: false };
const TOKENS = [104, 101, 108, 108, 111, 32, 256, 258, 40, 41, 200, 17, 5, 99];

for (const arch of arches) {
  const family = HF_FAMILIES[arch];
  if (!family) throw new Error(`no Hugging Face layout for ${arch} in test/helpers/hf-families.ts`);
  for (const tied of [false, true]) {
    const shape = { ...SHAPE, ...family.shape, tied };
    const checkpoint = randomCheckpoint(family, shape, tied ? 12 : 11, "F32");
    const folder = path.join(outDir, `${arch}${tied ? "-tied" : ""}`);
    fs.rmSync(folder, { recursive: true, force: true });
    writeHfFolder(folder, { config: checkpoint.config, tensors: checkpoint.tensors, tokenizer, tokenizerConfig });
    const gguf = path.join(folder, "model.gguf");
    await importHfModel({ folder, out: gguf, type: "f32", name: `random checkpoint ${arch}` });
    const model = await loadLlamaModel(gguf, { gpu: "cpu" });
    const logprobs = await referenceLogProbs(model, TOKENS, shape.nVocab);
    await model.dispose();
    // -Infinity (a probability llama.cpp rounded to 0) is not JSON: null, which the Python side skips.
    const rows = logprobs.map((row) => Array.from(row, (v) => (Number.isFinite(v) ? v : null)));
    fs.writeFileSync(path.join(folder, "llama_cpp_logprobs.json"), JSON.stringify({ arch, tokens: TOKENS, logprobs: rows }));
    console.log(`${folder}: ${arch}${tied ? " (tied embeddings)" : ""}, llama.cpp log-probs for ${TOKENS.length} positions`);
  }
}
